"""Concat on a real recording that was paused and resumed: one video, one continuous table."""

import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv

from camera_daemon.cameras.framecode import read_counter
from camera_daemon.config import parse_config
from camera_daemon.daemon.supervisor import Supervisor
from camera_daemon.post.options import PostOptions, StitchMode
from camera_daemon.post.workflow import run_post
from camera_daemon.session.folder import create_session

from readback import decoded


def _until(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """Poll the worker's own counters until they say so; the deadline only ends a failing test."""
    deadline = time.monotonic() + timeout_s
    tick = threading.Event()
    while time.monotonic() < deadline:
        if condition():
            return
        tick.wait(0.02)
    raise AssertionError("the recording never reached the expected state")


def test_paused_and_resumed_recording_concatenates_into_one_continuous_segment_table(tmp_path: Path) -> None:
    config = parse_config(
        {
            "session": {"output": str(tmp_path), "name": "paused"},
            "cameras": [{"name": "cam", "fps": 30, "width": 160, "height": 120}],
        }
    )
    supervisor = Supervisor(config, create_session(tmp_path, "paused", force=False))
    supervisor.start()

    def status() -> dict[str, int]:
        (camera,) = supervisor.statuses()
        return {"written": camera.frames_written, "acquired": camera.frames_acquired}

    _until(lambda: status()["written"] >= 20)
    supervisor.set_paused(True)
    paused_at = status()
    _until(lambda: status()["acquired"] >= paused_at["acquired"] + 30)  # a second of frames not saved
    supervisor.set_paused(False)
    resumed_at = status()
    _until(lambda: status()["written"] >= resumed_at["written"] + 20)
    manifest = supervisor.stop()
    folder = tmp_path / "paused"

    result = run_post(folder, PostOptions(mode=StitchMode.concat, cameras=("cam",), progress=False))
    table = pacsv.read_csv(folder / "post" / "concat.timestamps.csv")
    source = pacsv.read_csv(folder / "cam.timestamps.csv")
    frames = list(decoded(result.video, fmt="gray"))
    assert len(frames) == table.num_rows == source.num_rows == manifest["cameras"]["cam"]["frames_in_video"]
    segments = table.column("segment").to_numpy()
    assert set(segments.tolist()) == {0, 1}, "the pause splits the recording into two segments"
    host = table.column("host_time_us").to_numpy()
    assert np.all(np.diff(host) > 0)
    gap_s = np.diff(source.column("host_time_us").to_numpy()).max() / 1e6
    assert gap_s >= 0.9, "the pause shows in the source table"
    ids = source.column("camera_frame_id").to_numpy()
    for (pixels, time_ms), frame_id, time_us in zip(frames, ids, host, strict=True):
        assert read_counter(pixels) == frame_id
        assert abs(time_ms - time_us / 1000) <= 1
