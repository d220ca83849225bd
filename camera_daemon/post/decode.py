"""Stream frames out of a video, front to back, in the pixel layout the camera recorded.

Videos can be hours long, so nothing here keeps more than the current frame. Aligned indices never
go backwards (see ``align.nearest_within``), so fetching frame k means decoding forward to k and no
seeking: seeking in long-GOP video is both slow and, in some containers, inexact.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import av
import numpy as np
import numpy.typing as npt

from camera_daemon.post.errors import PostError

Frame = npt.NDArray[np.uint8] | npt.NDArray[np.uint16]
_AV_FORMAT = {"mono8": "gray", "bgr8": "bgr24", "mono16": "gray16le"}


def av_format(pixel_format: str) -> str:
    try:
        return _AV_FORMAT[pixel_format]
    except KeyError:
        raise PostError(f"pixel format '{pixel_format}' is unknown; expected mono8, mono16 or bgr8") from None


class FrameReader:
    """Sequential reader of one video; ``at(k)`` returns frame k for non-decreasing k."""

    def __init__(self, path: Path, pixel_format: str, threads: bool = True) -> None:
        self.path = path
        self._format = av_format(pixel_format)
        try:
            self._container = av.open(str(path))
        except (av.error.FFmpegError, OSError) as error:
            raise PostError(f"{path}: cannot open video ({error})") from None
        stream = self._container.streams.video[0]
        if threads:
            stream.thread_type = "AUTO"
        self._frames = self._container.decode(stream)
        self._position = -1
        self._current: Frame | None = None

    def __enter__(self) -> FrameReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._container.close()

    def _advance(self) -> Frame:
        try:
            frame = next(self._frames)
        except StopIteration:
            raise PostError(
                f"{self.path}: video ends after {self._position + 1} frames but its timestamp table lists more; "
                "the video and table disagree"
            ) from None
        except av.error.FFmpegError as error:
            raise PostError(f"{self.path}: decoding failed after frame {self._position} ({error})") from None
        self._position += 1
        pixels: Frame = frame.to_ndarray(format=self._format)
        return pixels

    def at(self, index: int) -> Frame:
        if index < self._position:
            raise PostError(f"{self.path}: frame {index} requested after {self._position}; indices must not go back")
        while self._position < index:
            self._current = self._advance()
        assert self._current is not None
        return self._current

    def __iter__(self) -> Iterator[Frame]:
        while True:
            try:
                frame = next(self._frames)
            except StopIteration:
                return
            self._position += 1
            yield frame.to_ndarray(format=self._format)


def count_frames(path: Path) -> int:
    """Decode-free frame count: packets of the video stream (one frame per packet for our codecs)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sum(1 for packet in container.demux(stream) if packet.size)


def to_gray8(frame: Frame) -> npt.NDArray[np.uint8]:
    """The 8-bit luminance every score and hash works on, whatever the camera's layout."""
    if frame.dtype == np.uint16:
        frame = (frame >> 8).astype(np.uint8)
    if frame.ndim == 3:
        import cv2

        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)  # type: ignore[no-any-return]
    return frame  # type: ignore[return-value]
