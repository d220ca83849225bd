"""One ffmpeg process fed timed raw frames (NUT, ``timed_stream.py``) through its stdin.

ffmpeg runs in its own process session so a Ctrl-C in the terminal reaches only the recorder,
which then drains its buffer and closes stdin: ffmpeg must never quit before the last frame.
"""

from __future__ import annotations

import contextlib
import fcntl
import subprocess
from pathlib import Path

import av

from camera_daemon.cameras.base import FrameGeometry
from camera_daemon.encoding.probe import ffmpeg_reason
from camera_daemon.encoding.timed_stream import TimedFrameWriter
from camera_daemon.errors import EncoderError

_F_SETPIPE_SZ = 1031
_PIPE_BYTES = 1 << 20


class FfmpegEncoder:
    def __init__(self, args: list[str], stderr_path: Path, geometry: FrameGeometry, tick_us: int) -> None:
        self._args = args
        self._stderr_path = stderr_path
        self._geometry = geometry
        self._tick_us = tick_us
        self._process: subprocess.Popen[bytes] | None = None
        self._fd = -1
        self._stream: TimedFrameWriter | None = None

    def start(self) -> None:
        with self._stderr_path.open("ab") as stderr:
            try:
                self._process = subprocess.Popen(
                    self._args,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    start_new_session=True,
                )
            except OSError as error:
                raise EncoderError(f"cannot start ffmpeg ({error}); check CAMD_FFMPEG or install ffmpeg") from None
        assert self._process.stdin is not None
        self._fd = self._process.stdin.fileno()
        with contextlib.suppress(OSError):  # a larger pipe only raises the ceiling; the default still works
            fcntl.fcntl(self._fd, _F_SETPIPE_SZ, _PIPE_BYTES)
        try:
            self._stream = TimedFrameWriter(self._fd, self._geometry, self._tick_us)
        except (av.error.FFmpegError, OSError):
            raise EncoderError(f"ffmpeg stopped taking frames: {self.stderr_tail()}") from None

    @property
    def pid(self) -> int:
        return self._process.pid if self._process else -1

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def write(self, frame: memoryview, host_time_us: int) -> None:
        """Write one whole frame and its time; it has left this process when the call returns."""
        assert self._stream is not None
        try:
            self._stream.write(frame.cast("B"), host_time_us)
        except (av.error.FFmpegError, OSError):
            raise EncoderError(f"ffmpeg stopped taking frames: {self.stderr_tail()}") from None

    def close(self, timeout_s: float = 30.0) -> int:
        """Close stdin so ffmpeg finishes the file, and wait for it; returns its exit code."""
        if self._process is None:
            return -1
        if self._stream is not None:
            with contextlib.suppress(av.error.FFmpegError, OSError):
                self._stream.close()  # the stream's end: ffmpeg then knows no frame was cut short
            self._stream = None
        if self._process.stdin is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
        try:
            return self._process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self._process.kill()
            return self._process.wait()

    def stderr_tail(self) -> str:
        """ffmpeg's one line that says why, and where the rest is: its other lines (banners, the
        closing summary that only repeats that something failed) belong in the log, not the error."""
        try:
            text = self._stderr_path.read_text(errors="replace")
        except OSError:
            return "no ffmpeg log"
        if not text.strip():
            return "ffmpeg printed nothing"
        return f"{ffmpeg_reason(text)} (all of it in logs/{self._stderr_path.name})"
