"""A callback beside a real recording: it never costs a recorded frame, and its rows match the video."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import tomli_w
from processes import wait_until

from camera_daemon.cameras.base import FrameGeometry, PixelFormat
from camera_daemon.cameras.synthetic import SceneRenderer

from recordings import CAMD, camd, decoded_counters, manifest, table

SLOW_CALLBACK = """
import time

def slow(frame, frame_index, camera_frame_id, host_time_us, pause_s):
    assert not frame.flags.writeable
    time.sleep(pause_s)
    return {"mean": float(frame.mean()), "dark": bool(frame.mean() < 50), "note": "ok"}
"""


def _run(tmp_path: Path, name: str, camera: dict[str, Any], seconds: float) -> Path:
    config = {"session": {"output": str(tmp_path), "name": name, "duration_s": seconds}, "cameras": [camera]}
    path = tmp_path / f"{name}.toml"
    path.write_text(tomli_w.dumps(config))
    result = camd("run", str(path), "--quiet", timeout=120)
    assert result.returncode == 0, result.stderr
    return tmp_path / name


def test_slow_callback_costs_no_recorded_frame(tmp_path: Path) -> None:
    callback = tmp_path / "slow_cb.py"
    callback.write_text(SLOW_CALLBACK)
    camera = {"name": "cam", "width": 320, "height": 240, "fps": 100}
    analysed = {**camera, "analysis": f"{callback}:slow", "analysis_args": {"pause_s": 0.05}, "analysis_csv": True}
    plain_session = _run(tmp_path, "plain", camera, 10.0)
    session = _run(tmp_path, "analysed", analysed, 10.0)

    entries = [manifest(s)["cameras"]["cam"] for s in (plain_session, session)]
    for entry in entries:
        assert entry["drops_total"] == 0, entry
        assert entry["frames_in_video"] >= 900
    codes = [decoded_counters(s / "cam.mkv") for s in (plain_session, session)]
    for decoded, entry in zip(codes, entries, strict=True):
        assert decoded == list(range(entry["frames_in_video"]))  # every frame, in order, unaltered
    shorter = min(len(c) for c in codes)
    assert codes[0][:shorter] == codes[1][:shorter]

    info = entries[1]["analysis"]
    rows = pq.read_table(session / "cam.analysis.parquet").to_pydict()
    recorded = entries[1]["frames_in_video"]
    assert info["state"] == "finished" and info["error"] is None
    assert info["frames_analysed"] == len(rows["frame_index"])
    assert 100 <= info["frames_analysed"] <= 10.5 / 0.05  # the callback sets the pace, not the camera
    assert info["frames_skipped"] == recorded - info["frames_analysed"]
    # each row is the recorded frame it names: same camera frame id and host time as the table's row
    times = table(session, "cam")
    index = np.asarray(rows["frame_index"])
    assert np.all(np.diff(index) > 0)
    assert np.array_equal(np.asarray(rows["camera_frame_id"]), times["camera_frame_id"][index])
    assert np.array_equal(np.asarray(rows["host_time_us"]), times["host_time_us"][index].astype(np.int64))
    latency = np.asarray(rows["result_latency_us"])
    assert np.all(latency >= 50_000) and info["latency_us_median"] >= 50_000
    assert info["latency_us_p99"] >= info["latency_us_median"]
    assert rows["note"][0] == "ok" and rows["dark"][0] is False
    assert (session / "cam.analysis.csv").read_text().splitlines()[0].startswith("frame_index,camera_frame_id")


def test_brightness_matches_the_scene(tmp_path: Path) -> None:
    analysis = {"analysis": "camera_daemon.analysis.builtin:brightness", "analysis_every": 2}
    camera = {"name": "cam", "width": 320, "height": 240, "fps": 30, "scene": "texture", **analysis}
    session = _run(tmp_path, "bright", camera, 2.0)
    rows = pq.read_table(session / "cam.analysis.parquet").to_pydict()
    assert len(rows["frame_index"]) >= 10  # a niced process on a loaded machine may skip many
    assert all(index % 2 == 0 for index in rows["frame_index"])  # every 2nd recorded frame
    entry = manifest(session)["cameras"]["cam"]
    due = (entry["frames_in_video"] + 1) // 2
    assert entry["analysis"]["frames_skipped"] == due - len(rows["frame_index"])  # the first ones, while it starts
    geometry = FrameGeometry(320, 240, PixelFormat.mono8, 30)
    renderer = SceneRenderer(geometry, scene="texture")
    truth = np.zeros((240, 320), np.uint8)
    frame_ids = table(session, "cam")["camera_frame_id"]
    for frame_index, value in zip(rows["frame_index"], rows["brightness"], strict=True):
        renderer.render(int(frame_ids[frame_index]), truth)  # the synthetic scene's own pixels
        assert abs(value - float(truth.mean())) < 1e-6


def test_raising_callback_fails_analysis_not_recording(tmp_path: Path, runtime: Path) -> None:
    callback = tmp_path / "raising_cb.py"
    callback.write_text(
        "def boom(frame, frame_index, camera_frame_id, host_time_us):\n"
        "    if frame_index >= 5:\n"
        "        raise ValueError(f'boom at {frame_index}')\n"
        "    return {'ok': True}\n"
    )
    config = tmp_path / "c.toml"
    camera = {"name": "cam", "width": 160, "height": 120, "fps": 30, "analysis": f"{callback}:boom"}
    config.write_text(tomli_w.dumps({"session": {"output": str(tmp_path), "name": "s"}, "cameras": [camera]}))
    env = dict(os.environ)
    started = subprocess.run([*CAMD, "start", str(config)], capture_output=True, text=True, timeout=60, env=env)
    assert started.returncode == 0, started.stderr
    analysis_rows: list[str] = []

    def failed_status() -> bool:
        result = subprocess.run([*CAMD, "status"], capture_output=True, text=True, timeout=30, env=env)
        analysis_rows[:] = [line for line in result.stdout.splitlines() if line.startswith("analysis cam:")]
        return bool(analysis_rows) and "failed" in analysis_rows[0]

    wait_until(failed_status, timeout_s=30, what="status to show the analysis failure")
    assert analysis_rows == ["analysis cam: failed (traceback in logs/cam.analysis.log); recording goes on"]

    def frames_written() -> int:
        result = subprocess.run([*CAMD, "status", "--json"], capture_output=True, text=True, timeout=30, env=env)
        return int(json.loads(result.stdout)["cameras"][0]["frames_written"])

    wait_until(lambda: frames_written() > 30, what="recording to go on past the failure")
    stopped = subprocess.run([*CAMD, "stop"], capture_output=True, text=True, timeout=120, env=env)
    assert stopped.returncode == 5, stopped.stderr
    lines = stopped.stderr.strip().splitlines()
    assert len(lines) == 1 and "analysis failed (camera 'cam': ValueError: boom at 5)" in lines[0], lines
    session = tmp_path / "s"
    entry = manifest(session)["cameras"]["cam"]
    assert manifest(session)["exit_state"] == "stopped"
    assert entry["exit_state"] != "failed" and entry["frames_in_video"] > 30 and entry["drops_total"] == 0
    assert decoded_counters(session / "cam.mkv") == list(range(entry["frames_in_video"]))
    assert entry["analysis"]["state"] == "failed"
    log = (session / "logs" / "cam.analysis.log").read_text()
    assert "Traceback (most recent call last)" in log and "ValueError: boom at 5" in log
    assert log.count("Traceback") == 1
    rows = pq.read_table(session / "cam.analysis.parquet").to_pydict()
    assert rows["ok"] and all(index < 5 for index in rows["frame_index"])
