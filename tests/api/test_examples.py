"""The public API through the scripts in examples/, run as a user runs them, checked against the session."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from recordings import manifest, table

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(script: str, cwd: Path, *args: str) -> str:
    env = {**os.environ, "CAMD_RUNTIME_DIR": str(cwd / "runtime")}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_example_is_tested() -> None:
    assert {path.name for path in EXAMPLES.glob("*.py")} == {
        "record_two_cameras.py",
        "read_session.py",
        "background_daemon.py",
    }


def test_record_then_read_a_session(tmp_path: Path) -> None:
    recorded = _run("record_two_cameras.py", tmp_path)
    session = tmp_path / "recordings" / "example"
    data = manifest(session)
    for name in ("left", "right"):
        frames = data["cameras"][name]["frames_in_video"]
        assert frames > 40
        assert f"{name}: {frames} frames" in recorded and str(session / data["cameras"][name]["video"]) in recorded

    read = _run("read_session.py", tmp_path, str(session))
    assert read.splitlines()[0] == f"{session}: stopped, cameras left, right"
    for name in ("left", "right"):
        rows = table(session, name)
        first, last = int(rows["utc_time_us"][0]), int(rows["utc_time_us"][-1])
        line = next(line for line in read.splitlines() if line.startswith(f"{name}:"))
        assert line.startswith(f"{name}: {len(rows['frame_index'])} frames, utc {first}..{last} us")
        interval = float(re.search(r"mean interval ([\d.]+) ms", line).group(1))  # type: ignore[union-attr]
        assert interval == pytest.approx((last - first) / (len(rows["frame_index"]) - 1) / 1000, abs=0.01)


def test_background_daemon_example(tmp_path: Path) -> None:
    output = _run("background_daemon.py", tmp_path)
    session = tmp_path / "recordings" / "daemon-example"
    frames = manifest(session)["cameras"]["cam"]["frames_in_video"]
    assert frames >= 30
    assert output.splitlines() == [f"recording {session}", f"cam: {frames} frames, {frames} timestamps, stopped"]


def test_session_reads_a_crashed_session_from_its_raw_log(tmp_path: Path) -> None:
    _run("record_two_cameras.py", tmp_path)
    session = tmp_path / "recordings" / "example"
    before = table(session, "right")
    (session / "right.timestamps.csv").unlink()  # as after a crash: only the raw log is left
    import camera_daemon

    rebuilt = camera_daemon.Session(session).timestamps("right")
    assert rebuilt["utc_time_us"].tolist() == before["utc_time_us"].tolist()
    assert rebuilt["camera_frame_id"].tolist() == before["camera_frame_id"].tolist()


def test_import_is_cheap_and_exports_the_api() -> None:
    code = (
        "import sys, camera_daemon\n"
        "heavy = sorted(m for m in ('numpy', 'pydantic', 'cv2', 'av', 'typer') if m in sys.modules)\n"
        "print(heavy)\n"
        "print(all(getattr(camera_daemon, name) is not None for name in camera_daemon.__all__))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines() == ["[]", "True"], result.stderr
