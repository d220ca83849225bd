"""An ffmpeg that fails mid-recording is reported by its one line that says why, not its last lines."""

from __future__ import annotations

from pathlib import Path

from camera_daemon.cameras.base import FrameGeometry, PixelFormat
from camera_daemon.config import EncoderConfig
from camera_daemon.encoding.command import build_command
from camera_daemon.encoding.encoder import FfmpegEncoder
from camera_daemon.encoding.timed_stream import tick_us
from camera_daemon.errors import EncoderError


def test_the_reason_is_one_line_naming_the_log(tmp_path: Path) -> None:
    geometry = FrameGeometry(64, 48, PixelFormat.mono8, 30.0)
    log = tmp_path / "cam.ffmpeg.log"
    args = build_command(EncoderConfig(), geometry, tmp_path / "no-such-folder" / "cam.mkv", loglevel="info")
    encoder = FfmpegEncoder(args, log, geometry, tick_us(EncoderConfig().container))
    encoder.start()
    try:
        for index in range(100):
            encoder.write(memoryview(bytes(geometry.frame_bytes)), index * 33_333)
    except EncoderError:
        pass
    assert encoder.close() != 0
    assert len(log.read_text().splitlines()) > 3  # ffmpeg said a lot
    tail = encoder.stderr_tail()
    assert tail.endswith("No such file or directory (all of it in logs/cam.ffmpeg.log)"), tail
    assert "\n" not in tail and " | " not in tail
