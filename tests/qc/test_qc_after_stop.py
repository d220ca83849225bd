"""A daemon's stop replies once the files are final; QC, which reads every packet and so grows with
the session, follows the reply and then fills in the manifest, and only then do checksums start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from processes import wait_until

from recordings import CAMD, manifest

CAMERAS = ["--camera", "a=synthetic:?width=160&height=120", "--camera", "b=synthetic:?width=160&height=120"]


def camd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CAMD, *args], capture_output=True, text=True, timeout=120, env=dict(os.environ))


def frames_written() -> int:
    result = camd("status", "--json")
    assert result.returncode == 0, result.stderr
    return min(camera["frames_written"] for camera in json.loads(result.stdout)["cameras"])


def test_stop_reply_says_qc_is_coming_and_the_manifest_gets_the_verdict(tmp_path: Path, runtime: Path) -> None:
    started = camd("start", *CAMERAS, "--output", str(tmp_path), "--session", "s")
    assert started.returncode == 0, started.stderr
    session = Path(started.stdout.strip())
    wait_until(lambda: frames_written() >= 30, what="a second of frames from both cameras")
    stopped = camd("stop", "--json")
    assert stopped.returncode == 0, stopped.stderr
    reply: dict[str, Any] = json.loads(stopped.stdout)
    assert reply["qc"] == {"verdict": "pending", "file": "post/qc.json"}, reply.get("qc")

    def verdict() -> dict[str, Any] | None:
        qc: dict[str, Any] = manifest(session).get("qc") or {}
        return qc if qc.get("verdict") not in (None, "pending") else None

    qc = wait_until(verdict, what="the QC verdict in the manifest")
    assert qc["verdict"] in ("PASS", "WARNING"), qc  # a loaded machine may warn on a short session's rate
    written = json.loads((session / "post" / "qc.json").read_text())
    assert written["verdict"] == qc["verdict"]
    assert {check["camera"] for check in written["checks"]} >= {"a", "b"}

    # Checksums come after QC's manifest write, so neither erases the other.
    def hashed() -> dict[str, Any] | None:
        current = manifest(session)
        return current if all(len(str(c.get("sha256"))) == 64 for c in current["cameras"].values()) else None

    final = wait_until(hashed, what="the videos' checksums")
    assert final["qc"] == qc
    assert final["cameras"]["a"]["frames_in_video"] == final["cameras"]["a"]["timestamps_logged"] > 0


def test_the_stop_summary_line_says_where_the_verdict_will_be(tmp_path: Path, runtime: Path) -> None:
    started = camd("start", *CAMERAS[:2], "--output", str(tmp_path), "--session", "s")
    assert started.returncode == 0, started.stderr
    wait_until(lambda: frames_written() >= 10, what="frames")
    stopped = camd("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert "QC: running now that the files are final; its verdict goes to post/qc.json" in stopped.stdout


def test_the_stop_client_prints_the_reply_without_loading_video_or_table_readers() -> None:
    """`camd stop` only prints what the daemon replied: its summary and exit code must not pay for
    PyAV, numpy or pyarrow, which the checks themselves need."""
    code = (
        "import sys\n"
        "from camera_daemon.daemon import commands, display\n"
        "display.summary_table\n"
        "from camera_daemon.qc.summary import summary_line\n"
        "from camera_daemon.analysis.failures import raise_if_analysis_failed\n"
        "print(' '.join(m for m in ('av', 'numpy', 'pyarrow', 'pandas') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
