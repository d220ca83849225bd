"""A camera's process and its encoder killed mid-recording: what was saved stays readable and timed."""

from __future__ import annotations

import os
import signal
import threading

import numpy as np

from camera_daemon.daemon.status import CameraStatus
from camera_daemon.recording import StopRequest, record

from recordings import decoded_counters, session_config, table


def test_sigkill_of_worker_and_encoder_keeps_a_decodable_timed_video(tmp_path):
    config = session_config(
        tmp_path,
        [
            {"name": "victim", "fps": 30, "width": 320, "height": 240},
            {"name": "survivor", "fps": 30, "width": 320, "height": 240},
        ],
    )
    stop = StopRequest()
    killed = threading.Event()
    survivor_frames_at_kill: list[int] = []
    failures: list[tuple[str, str]] = []

    def tick(statuses: list[CameraStatus]) -> None:
        by_name = {status.name: status for status in statuses}
        victim = by_name["victim"]
        if not killed.is_set() and victim.frames_written >= 90:  # 3 s at 30 fps
            os.kill(victim.pid, signal.SIGKILL)
            os.kill(victim.encoder_pid, signal.SIGKILL)
            survivor_frames_at_kill.append(by_name["survivor"].frames_written)
            killed.set()
        elif killed.is_set() and by_name["survivor"].frames_written >= survivor_frames_at_kill[0] + 30:
            stop.event.set()  # the other camera went on recording for a second after the kill

    session, result = record(config, on_tick=tick, on_failure=lambda n, r: failures.append((n, r)), stop=stop)
    assert killed.is_set()
    assert [name for name, _ in failures] == ["victim"]
    assert "SIGKILL" in failures[0][1]
    victim = result["cameras"]["victim"]
    assert victim["exit_state"] == "failed"
    assert result["exit_state"] == "failed"
    counters = decoded_counters(session / "victim.mkv")
    rows = table(session, "victim")
    assert len(counters) == rows["frame_index"].size == victim["frames_in_video"]
    assert len(counters) >= 60
    assert victim["timestamps_logged"] - len(counters) <= 30
    # every decodable frame has its own timestamp: the counters drawn in the pixels are the logged ids
    assert counters == rows["camera_frame_id"].tolist()
    assert np.all(np.diff(rows["host_time_us"]) > 0)
    survivor = result["cameras"]["survivor"]
    assert survivor["exit_state"] == "stopped"
    assert survivor["frames_in_video"] == survivor["timestamps_logged"] >= survivor_frames_at_kill[0] + 30
    assert decoded_counters(session / "survivor.mkv") == list(range(survivor["frames_in_video"]))
