"""Frames streamed to ffmpeg with their times come out of the file with exactly those times, on the
container's clock, by the same rule a remux applies."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from camera_daemon.cameras.base import FrameGeometry, PixelFormat
from camera_daemon.config import Container, EncoderConfig
from camera_daemon.encoding.command import build_command
from camera_daemon.encoding.encoder import FfmpegEncoder
from camera_daemon.encoding.remux import _MKV_TIME_BASE, _MP4_TIME_BASE, _ticks
from camera_daemon.encoding.timed_stream import TickClock, tick_us


def _host_times(count: int) -> np.ndarray:  # type: ignore[type-arg]
    """A camera that bursts: intervals from 0.2 ms (several frames in one Matroska tick) to 40 ms,
    with half-tick offsets that exercise the rounding."""
    rng = np.random.default_rng(7)
    intervals = rng.choice([200, 500, 1500, 33_333, 40_000], size=count - 1)
    return np.concatenate([[1_234_567], 1_234_567 + np.cumsum(intervals)]).astype(np.int64)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("container", "time_base"), [(Container.mkv, _MKV_TIME_BASE), (Container.mp4, _MP4_TIME_BASE)])
def test_tick_clock_matches_the_remux_rule(container: Container, time_base: object) -> None:
    host = _host_times(2000)
    clock = TickClock(tick_us(container))
    assert [clock.ticks(int(t)) for t in host] == _ticks(host, time_base).tolist()  # type: ignore[arg-type]


@pytest.mark.parametrize("container", [Container.mkv, Container.mp4])
def test_encoded_file_carries_the_sent_times(tmp_path: Path, container: Container) -> None:
    geometry = FrameGeometry(64, 48, PixelFormat.mono8, 30)
    config = EncoderConfig(container=container)
    video = tmp_path / f"v.{container.value}"
    args = build_command(config, geometry, video)
    encoder = FfmpegEncoder(args, tmp_path / "ffmpeg.log", geometry, tick_us(container))
    encoder.start()
    host = _host_times(120)
    frame = np.zeros((48, 64), np.uint8)
    for index, time_us in enumerate(host):
        frame[:] = index
        encoder.write(memoryview(frame), int(time_us))
    assert encoder.close() == 0, (tmp_path / "ffmpeg.log").read_text()
    with av.open(str(video)) as reader:
        stream = reader.streams.video[0]
        times = [int(frame.pts) for frame in reader.decode(stream)]
        scale = float(stream.time_base) * 1_000_000 / tick_us(container)
    expected = _ticks(host, _MKV_TIME_BASE if container is Container.mkv else _MP4_TIME_BASE)
    assert np.array_equal(np.rint(np.array(times) * scale).astype(np.int64), expected)
    count = ["ffprobe", "-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"]
    probe = subprocess.run(
        [*count, str(video)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(probe.stdout.strip().strip(",")) == host.size
