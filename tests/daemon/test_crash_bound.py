"""The promise a crash keeps, measured under CPU load: a SIGKILLed camera loses at most
CRASH_LOSS_BOUND_S of frames before the kill (README: half a second)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from camera_daemon.daemon.status import CameraStatus
from camera_daemon.recording import StopRequest, record

from recordings import decoded_counters, session_config, table

CRASH_LOSS_BOUND_S = 0.5


@pytest.fixture
def cpu_load() -> Iterator[None]:
    """One busy loop per core, so encoder and logger compete for CPU as on a loaded rig."""
    spin = [sys.executable, "-c", "while True: pass"]
    spinners = [subprocess.Popen(spin) for _ in range(os.cpu_count() or 1)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def test_sigkill_under_load_loses_at_most_the_stated_bound(tmp_path, cpu_load):
    config = session_config(tmp_path, [{"name": "victim", "fps": 30, "width": 320, "height": 240}])
    stop = StopRequest()
    seconds_at_kill: list[float] = []

    def tick(statuses: list[CameraStatus]) -> None:
        victim = statuses[0]
        if not seconds_at_kill and victim.frames_written >= 90:
            seconds_at_kill.append(victim.seconds_recorded)  # the newest frame the camera had acquired
            os.kill(victim.pid, signal.SIGKILL)
            os.kill(victim.encoder_pid, signal.SIGKILL)
            stop.event.set()

    session, _ = record(config, on_tick=tick, on_failure=lambda name, reason: None, stop=stop)
    assert seconds_at_kill
    rows = table(session, "victim")
    counters = decoded_counters(session / "victim.mkv")
    assert len(counters) == rows["frame_index"].size > 0
    lost_s = seconds_at_kill[0] - float(rows["host_time_us"][-1]) / 1e6
    print(f"lost {lost_s:.3f} s of frames")
    assert lost_s <= CRASH_LOSS_BOUND_S
