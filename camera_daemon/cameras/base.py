"""The protocol between a camera backend and the recording worker.

A backend writes pixels straight into a slot the worker owns, so a frame is copied once between the
device and ffmpeg's pipe. The worker stamps host time itself at the moment ``read`` returns; the
backend only adds what it alone knows: the camera's frame counter and the device clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np


class PixelFormat(StrEnum):
    """Layouts a frame can have on its way to ffmpeg; every backend converts to one of these."""

    mono8 = "mono8"
    mono16 = "mono16"
    bgr8 = "bgr8"

    @property
    def channels(self) -> int:
        return 3 if self is PixelFormat.bgr8 else 1

    @property
    def dtype(self) -> type[np.unsignedinteger]:  # type: ignore[type-arg]
        return np.uint16 if self is PixelFormat.mono16 else np.uint8

    @property
    def ffmpeg_name(self) -> str:
        return {PixelFormat.mono8: "gray", PixelFormat.mono16: "gray16le", PixelFormat.bgr8: "bgr24"}[self]

    def shape(self, width: int, height: int) -> tuple[int, ...]:
        return (height, width, 3) if self is PixelFormat.bgr8 else (height, width)


@dataclass(frozen=True, slots=True)
class FrameGeometry:
    """What the worker needs to preallocate its ring before the first frame arrives."""

    width: int
    height: int
    pixel_format: PixelFormat
    nominal_fps: float
    # True when the camera states no rate and nominal_fps was timed on its first frames: no nominal to judge by
    rate_measured: bool = False

    @property
    def shape(self) -> tuple[int, ...]:
        return self.pixel_format.shape(self.width, self.height)

    @property
    def frame_bytes(self) -> int:
        return int(np.prod(self.shape)) * np.dtype(self.pixel_format.dtype).itemsize


@dataclass(frozen=True, slots=True)
class FrameInfo:
    """What a backend knows about the frame it just wrote.

    ``camera_frame_id`` is the device's own counter (-1 when the backend has none), so drops are
    counted from gaps rather than guessed from intervals. ``device_time_ns`` is the device clock, or
    -1; a backend whose clock wraps unwraps it before reporting.
    """

    camera_frame_id: int
    device_time_ns: int = -1


class EndOfStream(Exception):
    """A finite source (a file, an image sequence) has no more frames: a normal end, not a failure."""


class Camera(Protocol):
    """One opened camera. ``open`` may block until the device answers; ``read`` blocks for one frame."""

    @property
    def geometry(self) -> FrameGeometry: ...

    @property
    def live(self) -> bool:
        """True when frames arrive on the camera's clock and must be dropped, not waited for, if the
        ring is full; False for sources that can wait (files, free-running generators)."""
        ...

    def open(self) -> None: ...

    def read(self, out: np.ndarray) -> FrameInfo:  # type: ignore[type-arg]
        """Fill ``out`` (shape and dtype of ``geometry``) with the next frame.

        Raises EndOfStream at the end of a finite source and CameraError when the device is lost.
        """
        ...

    def close(self) -> None: ...
