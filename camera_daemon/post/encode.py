"""Write output video in-process with PyAV, each frame stamped with its true time.

Presentation times come from the aligned UTC times, never from a nominal rate, so a stitched file plays
at the real speed and its gaps stay visible. Matroska is the container because a stage killed halfway
still leaves a playable file.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np

from camera_daemon.post.decode import Frame
from camera_daemon.post.errors import PostError

_MICROSECOND = Fraction(1, 1_000_000)
CODECS = ("h264", "ffv1")


class VideoWriter:
    """One output stream; ``write(frame, time_us)`` with strictly increasing times."""

    def __init__(
        self,
        path: Path,
        width: int,
        height: int,
        colour: bool,
        codec: str = "h264",
        crf: int = 18,
        preset: str = "ultrafast",
        rate_fps: float = 30.0,
    ) -> None:
        if codec not in CODECS:
            raise PostError(f"output codec '{codec}' is not supported; use one of {', '.join(CODECS)}")
        if width % 2 or height % 2:
            raise PostError(f"output size {width}x{height} must be even for yuv420p")
        self.path = path
        self._input_format = "bgr24" if colour else "gray"
        self._container = av.open(str(path), mode="w", format="matroska")
        rate = Fraction(rate_fps).limit_denominator(1001) if rate_fps > 0 else Fraction(30)
        if codec == "h264":
            stream = self._container.add_stream("libx264", rate=rate)
            stream.pix_fmt = "yuv420p"
            stream.options = {"preset": preset, "crf": str(crf)}
        else:
            stream = self._container.add_stream("ffv1", rate=rate)
            stream.pix_fmt = "bgr0" if colour else "gray"
        stream.width = width
        stream.height = height
        stream.codec_context.time_base = _MICROSECOND
        self._stream = stream
        self._last_us = -1
        self.frames_written = 0

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

    def write(self, pixels: Frame, time_us: int) -> None:
        if time_us <= self._last_us:
            raise PostError(f"{self.path}: frame time {time_us} µs does not increase (previous {self._last_us} µs)")
        self._last_us = time_us
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format=self._input_format)
        frame.pts = time_us
        frame.time_base = _MICROSECOND
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames_written += 1

    def close(self) -> None:
        if self._container is None:
            return
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()
        self._container = None  # type: ignore[assignment]
