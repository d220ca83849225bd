"""Decode chosen frames of a video in independent ranges, so several processes share one file.

Each range starts at a keyframe: seeking there is exact for every codec camd records, and frames
are counted on from it, so frame k of a range is row k of the timestamp table, not a guess from
presentation times (a container may round those to the millisecond, and two fast frames then share
one). A demux pass (no decoding) finds the keyframes; it reads the file at disk speed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from camera_daemon.post.errors import PostError
from camera_daemon.post.io.decode import Frame, av_format, to_array


@dataclass(frozen=True)
class VideoIndex:
    """Presentation times (stream time base) of every frame in order, and which frames are keyframes."""

    pts: tuple[int, ...]
    keyframes: tuple[int, ...]


@dataclass(frozen=True)
class Span:
    """Decode from ``key`` (a keyframe's index, with its ``key_pts``) and keep the ``wanted`` frames."""

    video: Path
    pixel_format: str
    key: int
    key_pts: int
    wanted: tuple[int, ...]

    @property
    def cost(self) -> int:
        """Frames decoded: what a progress bar should count."""
        return self.wanted[-1] - self.key + 1 if self.wanted else 0


def index_video(path: Path) -> VideoIndex:
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            packets = [
                (int(p.pts), bool(p.is_keyframe)) for p in container.demux(stream) if p.size and p.pts is not None
            ]
    except (av.error.FFmpegError, OSError) as error:
        raise PostError(f"{path}: cannot read video ({error})") from None
    packets.sort()
    return VideoIndex(tuple(pts for pts, _ in packets), tuple(i for i, (_, key) in enumerate(packets) if key))


def plan_spans(video: Path, pixel_format: str, index: VideoIndex, wanted: list[int], parts: int) -> list[Span]:
    """Split sorted ``wanted`` into at most ``parts`` runs of about equal size, each from its keyframe."""
    if not wanted:
        return []
    if wanted[-1] >= len(index.pts):
        raise PostError(
            f"{video}: frame {wanted[-1]} asked for but the video holds {len(index.pts)}; "
            "the video and its table disagree"
        )
    keys = np.asarray(index.keyframes or (0,), dtype=np.int64)
    groups = [list(group) for group in np.array_split(np.asarray(wanted, dtype=np.int64), max(1, parts)) if group.size]
    spans = []
    for group in groups:
        position = int(np.searchsorted(keys, group[0], side="right")) - 1
        key = int(keys[max(position, 0)])
        spans.append(Span(video, pixel_format, key, index.pts[key], tuple(int(i) for i in group)))
    return spans


def decode_span(span: Span, threads: bool = False) -> Iterator[tuple[int, Frame]]:
    """(frame index, pixels) for each wanted frame, in order."""
    fmt = av_format(span.pixel_format)
    wanted = set(span.wanted)
    last = span.wanted[-1]
    try:
        container = av.open(str(span.video))
    except (av.error.FFmpegError, OSError) as error:
        raise PostError(f"{span.video}: cannot open video ({error})") from None
    with container:
        stream = container.streams.video[0]
        if threads:
            stream.thread_type = "AUTO"
        if span.key > 0:
            container.seek(span.key_pts, stream=stream, backward=True, any_frame=False)
        position = span.key - 1
        started = span.key == 0
        try:
            for frame in container.decode(stream):
                if not started:
                    if frame.pts is None or frame.pts < span.key_pts:
                        continue  # the seek landed on an earlier keyframe: skip to ours
                    if frame.pts != span.key_pts:
                        raise PostError(f"{span.video}: seeking to frame {span.key} missed it; the video is damaged")
                    started = True
                position += 1
                if position in wanted:
                    yield position, to_array(frame, fmt)
                if position >= last:
                    return
        except av.error.FFmpegError as error:
            raise PostError(f"{span.video}: decoding failed after frame {position} ({error})") from None
    raise PostError(f"{span.video}: ends after frame {position}, before frame {last}; the video and table disagree")
