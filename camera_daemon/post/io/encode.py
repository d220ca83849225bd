"""Write output video in-process with PyAV, each frame stamped with its true time.

Presentation times come from the aligned UTC times, never from a nominal rate, so a stitched file plays
at the real speed and its gaps stay visible. Matroska is the container because a stage killed halfway
still leaves a playable file.
"""

from __future__ import annotations

import queue
import threading
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import cast

import av
import cv2
import numpy as np
import numpy.typing as npt

from camera_daemon.post.errors import PostError
from camera_daemon.post.io.decode import FULL_TO_LIMITED, Frame

_MICROSECOND = Fraction(1, 1_000_000)
CODECS = ("h264", "ffv1")


def _plane(frame: av.VideoFrame, index: int, rows: int, columns: int) -> npt.NDArray[np.uint8]:
    plane = frame.planes[index]
    return np.frombuffer(plane, dtype=np.uint8).reshape(rows, plane.line_size)[:, :columns]


def gray_to_yuv420p(
    gray: npt.NDArray[np.uint8], studio: bool = False, frame: av.VideoFrame | None = None
) -> av.VideoFrame:
    """A studio-range yuv420p frame of a gray image, the same values swscale would produce;
    ``studio`` says the gray values are studio range already and only need copying. ``frame``: a
    frame of this size made here before and since encoded, refilled in place (its chroma is
    already neutral)."""
    height, width = gray.shape
    fresh = frame is None
    frame = av.VideoFrame(width, height, "yuv420p") if frame is None else frame
    luma = _plane(frame, 0, height, width)
    if studio:
        luma[...] = gray
    elif luma.flags.c_contiguous:
        cv2.LUT(gray, FULL_TO_LIMITED, dst=luma)
    else:
        luma[...] = cv2.LUT(gray, FULL_TO_LIMITED)
    if fresh:
        _plane(frame, 1, height // 2, width // 2).fill(128)
        _plane(frame, 2, height // 2, width // 2).fill(128)
    return frame


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
        # yuv420p needs even sizes: an odd camera gets one black row or column, never a resize
        self._pad = (height % 2, width % 2)
        width, height = width + self._pad[1], height + self._pad[0]
        self.path = path
        self._input_format = "bgr24" if colour else "gray"
        self._container = av.open(str(path), mode="w", format="matroska")
        rate = Fraction(rate_fps).limit_denominator(1001) if rate_fps > 0 else Fraction(30)
        if codec == "h264":
            stream = self._container.add_stream("libx264", rate=rate)
            stream.pix_fmt = "yuv420p"
            stream.options = {"preset": preset, "crf": str(crf), "threads": "auto"}
        else:
            stream = self._container.add_stream("ffv1", rate=rate)
            stream.pix_fmt = "bgr0" if colour else "gray"
        stream.width = width
        stream.height = height
        stream.codec_context.time_base = _MICROSECOND
        self._stream = stream
        # gray input to yuv420p is written straight into the frame's planes (luma table, constant chroma):
        # no swscale pass and no intermediate copy, which is most of the per-frame cost outside x264
        self._pack_gray = codec == "h264" and not colour
        self._last_us = -1
        self.frames_written = 0
        # x264 runs in its own thread (PyAV releases the GIL while encoding), so decoding and
        # composing the next frames overlaps with encoding this one. The queue is short: memory
        # stays a few frames whatever the video's length.
        self._queue: queue.Queue[av.VideoFrame | None] = queue.Queue(maxsize=8)
        # Frames the encoder is done with, refilled instead of allocated: a fresh frame's planes are
        # new pages the kernel must fault in and zero, which cost more than the copy itself (~0.45 ms
        # for 1280x480). Only the gray x264 path reuses them: libx264 copies its input during
        # encode(), so a frame is free again the moment encode() returns.
        self._spare: queue.SimpleQueue[av.VideoFrame] = queue.SimpleQueue()
        self._failure: BaseException | None = None
        self._encoder = threading.Thread(target=self._encode_loop, name="post-encode", daemon=True)
        self._encoder.start()

    def _encode_loop(self) -> None:
        try:
            while (frame := self._queue.get()) is not None:
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
                if self._pack_gray:
                    self._spare.put(frame)
            for packet in self._stream.encode(None):
                self._container.mux(packet)
        except BaseException as error:
            self._failure = error
            while self._queue.get() is not None:  # keep the producer from blocking on a dead consumer
                pass

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @property
    def takes_studio_range(self) -> bool:
        """True when ``write(..., studio=True)`` is accepted: a gray input into yuv420p."""
        return self._pack_gray

    def write(self, pixels: Frame, time_us: int, studio: bool = False) -> None:
        if time_us <= self._last_us:
            raise PostError(f"{self.path}: frame time {time_us} µs does not increase (previous {self._last_us} µs)")
        self._last_us = time_us
        if any(self._pad):
            padding = ((0, self._pad[0]), (0, self._pad[1])) + ((0, 0),) * (pixels.ndim - 2)
            pixels = cast(Frame, np.pad(pixels, padding))
        if self._pack_gray:
            spare = None if self._spare.empty() else self._spare.get_nowait()
            frame = gray_to_yuv420p(cast(npt.NDArray[np.uint8], pixels), studio, spare)
        else:
            frame = av.VideoFrame.from_ndarray(cast(Frame, np.ascontiguousarray(pixels)), format=self._input_format)
        frame.pts = time_us
        frame.time_base = _MICROSECOND
        if self._failure is not None:
            raise PostError(f"{self.path}: encoding failed ({self._failure})")
        self._queue.put(frame)
        self.frames_written += 1

    def close(self) -> None:
        if self._container is None:
            return
        self._queue.put(None)
        self._encoder.join()
        self._container.close()
        self._container = None  # type: ignore[assignment]
        if self._failure is not None:
            raise PostError(f"{self.path}: encoding failed ({self._failure})")
