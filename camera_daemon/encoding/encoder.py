"""One ffmpeg process fed raw frames through its stdin.

ffmpeg runs in its own process session so a Ctrl-C in the terminal reaches only the recorder,
which then drains its buffer and closes stdin: ffmpeg must never quit before the last frame.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
from pathlib import Path

from camera_daemon.encoding.probe import ffmpeg_reason
from camera_daemon.errors import EncoderError

_F_SETPIPE_SZ = 1031
_PIPE_BYTES = 1 << 20


class FfmpegEncoder:
    def __init__(self, args: list[str], stderr_path: Path) -> None:
        self._args = args
        self._stderr_path = stderr_path
        self._process: subprocess.Popen[bytes] | None = None
        self._fd = -1

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

    @property
    def pid(self) -> int:
        return self._process.pid if self._process else -1

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def write(self, frame: memoryview) -> None:
        """Write one whole frame; a short write is continued so a frame is never split across failures."""
        view = frame.cast("B")
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except (BrokenPipeError, OSError):
            raise EncoderError(f"ffmpeg stopped taking frames: {self.stderr_tail()}") from None

    def close(self, timeout_s: float = 30.0) -> int:
        """Close stdin so ffmpeg finishes the file, and wait for it; returns its exit code."""
        if self._process is None:
            return -1
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
