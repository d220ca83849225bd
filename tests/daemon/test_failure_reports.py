"""A camera whose worker or encoder is killed under the background daemon: the daemon's log names it
once, status stops claiming its encoder is alive, and the other cameras go on."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from test_daemon_cli import by_camera, camd, start, status, wait_for

from recordings import manifest


def _failure_lines(session: Path) -> list[str]:
    text = (session / "logs" / "daemon.log").read_text(errors="replace")
    return [line for line in text.splitlines() if "failed:" in line and "camera '" in line]


def test_killed_worker_and_killed_encoder_are_logged_once_and_shown_dead(tmp_path, runtime):
    session = start(tmp_path)
    cameras = by_camera(status())
    assert all(camera["encoder_alive"] for camera in cameras.values())
    os.kill(cameras["b"]["pid"], signal.SIGKILL)
    os.kill(cameras["c"]["encoder_pid"], signal.SIGKILL)
    # status is asked often here, as a dashboard would: that must not hide a failure from the log
    dead = wait_for(lambda: (s := by_camera(status()))["b"]["state"] == s["c"]["state"] == "failed" and s)
    assert dead["b"]["encoder_alive"] is False
    assert dead["c"]["encoder_alive"] is False
    assert dead["a"]["encoder_alive"] is True and dead["a"]["state"] == "recording"
    wait_for(lambda: len(_failure_lines(session)) == 2)
    after = by_camera(status())
    wait_for(lambda: by_camera(status())["a"]["frames_written"] > after["a"]["frames_written"] + 10)
    result = camd("stop")
    assert result.returncode == 1
    lines = _failure_lines(session)
    assert len(lines) == 2, lines
    (b_line,) = [line for line in lines if "camera 'b'" in line]
    (c_line,) = [line for line in lines if "camera 'c'" in line]
    assert "SIGKILL" in b_line
    assert "ffmpeg" in c_line or "encoder" in c_line
    data = manifest(session)
    assert data["failed_cameras"] == ["b", "c"]
    assert data["cameras"]["a"]["exit_state"] == "stopped"
