"""Stream frames out of a video, front to back, in the pixel layout the camera recorded.

Videos can be hours long, so nothing here keeps more than the current frame. Aligned indices never
go backwards (see ``align.nearest_within``), so fetching frame k means decoding forward to k and no
seeking: seeking in long-GOP video is both slow and, in some containers, inexact.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import cast

import av
import cv2
import numpy as np
import numpy.typing as npt

from camera_daemon.post.crop import Crop
from camera_daemon.post.errors import PostError

Frame = npt.NDArray[np.uint8] | npt.NDArray[np.uint16]
_AV_FORMAT = {"mono8": "gray", "bgr8": "bgr24", "mono16": "gray16le"}
_PLANAR_YUV8 = frozenset({"yuv420p", "yuv422p", "yuv444p", "yuvj420p", "yuvj422p", "yuvj444p", "nv12"})
_JPEG_RANGE = 2  # AVCOL_RANGE_JPEG: luma already spans 0..255
# studio-range luma (16..235) to full-range gray, the same mapping swscale applies, as a table
LIMITED_TO_FULL = np.clip(np.round((np.arange(256) - 16) * 255 / 219), 0, 255).astype(np.uint8)
FULL_TO_LIMITED = np.round(16 + np.arange(256) * 219 / 255).astype(np.uint8)


def luma(frame: av.VideoFrame, studio: bool = False) -> npt.NDArray[np.uint8]:
    """Gray pixels of a planar YUV frame straight from its luma plane: several times cheaper than a
    swscale conversion and bit-identical to it, which matters when two videos are decoded per frame.

    ``studio`` keeps luma in studio range (16..235), the range the output encoder wants: a mono
    mosaic then moves pixels from decoder to encoder with no per-pixel arithmetic at all.
    """
    plane = frame.planes[0]
    rows = np.frombuffer(plane, dtype=np.uint8).reshape(frame.height, plane.line_size)[:, : frame.width]
    full = frame.color_range == _JPEG_RANGE or frame.format.name.startswith("yuvj")
    if full == (not studio):
        return rows.copy()
    return cast(npt.NDArray[np.uint8], cv2.LUT(rows, FULL_TO_LIMITED if studio else LIMITED_TO_FULL))


def to_array(frame: av.VideoFrame, av_name: str, studio: bool = False) -> Frame:
    if av_name == "gray" and frame.format.name in _PLANAR_YUV8:
        return luma(frame, studio)
    pixels = cast(Frame, frame.to_ndarray(format=av_name))
    if studio and av_name == "gray":
        return cast(Frame, cv2.LUT(pixels, FULL_TO_LIMITED))
    return pixels


def av_format(pixel_format: str) -> str:
    try:
        return _AV_FORMAT[pixel_format]
    except KeyError:
        raise PostError(f"pixel format '{pixel_format}' is unknown; expected mono8, mono16 or bgr8") from None


class FrameReader:
    """Sequential reader of one video; ``at(k)`` returns frame k for non-decreasing k."""

    def __init__(
        self, path: Path, pixel_format: str, threads: bool = True, studio: bool = False, crop: Crop | None = None
    ) -> None:
        self.path = path
        self._crop = crop
        self._format = av_format(pixel_format)
        self._studio = studio and self._format == "gray"
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
        self._keyframe = -1  # index of the newest keyframe decoded: what a lossy frame was built from

    def __enter__(self) -> FrameReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
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
        if frame.key_frame:
            self._keyframe = self._position
        pixels = to_array(frame, self._format, self._studio)
        return pixels if self._crop is None else self._crop.apply(pixels)

    @property
    def position(self) -> int:
        """Index of the frame decoded last (-1 before the first)."""
        return self._position

    @property
    def keyframe(self) -> int:
        """Index of the newest keyframe at or before the frame decoded last (-1 before the first)."""
        return self._keyframe

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
            if frame.key_frame:
                self._keyframe = self._position
            yield to_array(frame, self._format, self._studio)


def count_frames(path: Path) -> int:
    """Decode-free frame count: packets of the video stream (one frame per packet for our codecs)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sum(1 for packet in container.demux(stream) if packet.size)


LOSSLESS_CODECS = frozenset({"ffv1", "rawvideo", "png", "huffyuv", "ffvhuff", "utvideo", "qtrle"})


def lossless_video(path: Path) -> bool:
    """Whether decoded frames are the recorded bytes: only then can equal pixels prove equal frames."""
    with av.open(str(path)) as container:
        return container.streams.video[0].codec_context.name in LOSSLESS_CODECS


def to_gray8(frame: Frame) -> npt.NDArray[np.uint8]:
    """The 8-bit luminance every score and hash works on, whatever the camera's layout."""
    if frame.dtype == np.uint16:
        frame = (frame >> 8).astype(np.uint8)
    if frame.ndim == 3:
        return cast(npt.NDArray[np.uint8], cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    return frame  # type: ignore[return-value]
