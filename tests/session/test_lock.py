"""A session a daemon is recording cannot be replaced or recovered until the daemon has stopped."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recordings import camd, decoded_counters, manifest, table

CAMERA = ["--camera", "a=synthetic:?width=96&height=64"]


def _status() -> dict[str, Any]:
    result = camd("status", "--json")
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _written() -> int:
    return int(_status()["cameras"][0]["frames_written"])


def _wait_for(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        time.sleep(0.05)


def _lock_holders(session: Path) -> dict[int, str]:
    """Every process with the session's lock file open, and its command line."""
    lock = str(session / ".lock")
    holders = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) == lock for fd in (entry / "fd").iterdir()):
                holders[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    return holders


def _refusal(result: Any, code: int) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == code and len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return str(lines[0])


def test_force_and_recover_refuse_a_live_session_which_keeps_recording(tmp_path, runtime):
    out = tmp_path / "out"
    started = camd("start", *CAMERA, "--output", str(out), "--session", "live")
    assert started.returncode == 0, started.stderr
    session = Path(started.stdout.strip())
    pid = int(_status()["pid"])
    before = _written()

    line = _refusal(camd("run", *CAMERA, "--output", str(out), "--session", "live", "--force", "--duration", "1"), 3)
    assert line == f"camd: error: session {session} is being recorded by pid {pid}; stop it first (camd stop)"
    assert _refusal(camd("recover", str(session), "--force"), 3) == line
    assert _refusal(camd("recover", str(session)), 3) == line

    _wait_for(lambda: _written() > before + 10)  # still recording, into the same files
    holders = _lock_holders(session)
    # the daemon and its one camera worker; never the encoder, which could outlive them both
    assert pid in holders and len(holders) == 2, holders
    assert not any("ffmpeg" in command.split(" ", 1)[0] for command in holders.values())
    assert camd("stop").returncode == 0
    data = manifest(session)
    assert data["exit_state"] == "stopped"
    frames = data["cameras"]["a"]["frames_in_video"]
    assert frames > before + 10
    assert decoded_counters(session / "a.mkv") == table(session, "a")["camera_frame_id"].tolist()
    assert len(table(session, "a")["frame_index"]) == frames
    assert _lock_holders(session) == {}

    again = camd("run", *CAMERA, "--output", str(out), "--session", "live", "--force", "--duration", "0.5", "--quiet")
    assert again.returncode == 0, again.stderr
    assert manifest(session)["exit_state"] == "stopped" and manifest(session)["started_utc_us"] > data["started_utc_us"]


def test_a_planted_lock_link_is_refused(tmp_path):
    out = tmp_path / "out"
    first = camd("run", *CAMERA, "--output", str(out), "--session", "s", "--duration", "0.5", "--quiet")
    assert first.returncode == 0, first.stderr
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (out / "s" / ".lock").unlink()
    (out / "s" / ".lock").symlink_to(victim)
    line = _refusal(camd("recover", str(out / "s"), "--force"), 2)
    assert ".lock" in line and "link" in line
    assert victim.read_text() == "keep me\n"
