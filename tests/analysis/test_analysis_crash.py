"""A killed analysis process loses at most the rows of its last half second; the recording loses nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import tomli_w
from processes import wait_until

from recordings import CAMD, decoded_counters, manifest

FPS = 30


def _camera(env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run([*CAMD, "status", "--json"], capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 0, result.stderr
    camera: dict[str, Any] = json.loads(result.stdout)["cameras"][0]
    return camera


def test_killed_analysis_keeps_rows_flushed_before(tmp_path: Path, runtime: Path) -> None:
    camera = {"name": "cam", "width": 160, "height": 120, "fps": FPS}
    camera["analysis"] = "camera_daemon.analysis.builtin:brightness"
    config = tmp_path / "c.toml"
    config.write_text(tomli_w.dumps({"session": {"output": str(tmp_path), "name": "s"}, "cameras": [camera]}))
    env = dict(os.environ)
    started = subprocess.run([*CAMD, "start", str(config)], capture_output=True, text=True, timeout=60, env=env)
    assert started.returncode == 0, started.stderr

    live = wait_until(lambda: (c := _camera(env))["analysis_frames"] >= 2 * FPS and c, what="60 analysed frames")
    assert live["analysis"] == "running" and live["analysis_pid"] > 0
    assert set(live["analysis_last"]) == {"frame_index", "brightness"}  # the newest result, for the preview page
    os.kill(live["analysis_pid"], signal.SIGKILL)
    dead = wait_until(lambda: (c := _camera(env))["analysis"] == "failed" and c, what="status to show the kill")
    frames_at_kill = dead["analysis_frames"]
    wait_until(lambda: _camera(env)["frames_written"] >= dead["frames_written"] + FPS, what="recording to go on")

    stopped = subprocess.run([*CAMD, "stop"], capture_output=True, text=True, timeout=120, env=env)
    assert stopped.returncode == 5, stopped.stderr
    session = tmp_path / "s"
    entry = manifest(session)["cameras"]["cam"]
    assert entry["drops_total"] == 0
    assert decoded_counters(session / "cam.mkv") == list(range(entry["frames_in_video"]))
    assert entry["analysis"]["state"] == "failed" and "without a summary" in entry["analysis"]["error"]
    rows = pq.read_table(session / "cam.analysis.parquet").column("frame_index").to_pylist()
    assert frames_at_kill - FPS // 2 - 1 <= len(rows) <= frames_at_kill  # at most half a second lost
    assert entry["analysis"]["frames_analysed"] == frames_at_kill
    assert not (session / "logs" / "cam.analysis.parts").exists()
