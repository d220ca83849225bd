"""Join segments of one camera (several sessions, or one session paused and resumed) into one video.

Segments are put in UTC order and must not overlap in time. The joined table keeps every frame's UTC
time and counts host time from the first segment's first frame, so the output has one continuous,
strictly increasing clock; pauses stay visible as gaps and are listed as segment boundaries.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from camera_daemon.post.dedupe import Gop
from camera_daemon.post.errors import PostError
from camera_daemon.post.io.decode import FrameReader
from camera_daemon.post.io.sink import FrameSink
from camera_daemon.post.session_io import CameraTrack
from camera_daemon.post.stitch.stitch import Progress

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ConcatPlan:
    """Every input frame in output order: which source, which frame, which segment, what time."""

    sources: tuple[tuple[str, CameraTrack], ...]  # (label, track) in UTC order
    source: IntArray
    source_frame: IntArray
    segment: IntArray
    utc_time_us: IntArray
    camera_frame_id: IntArray
    device_time_ns: IntArray


def pause_gaps(utc_us: IntArray, gap_us: float) -> IntArray:
    """Positions i where a pause lies between frame i-1 and frame i."""
    if utc_us.size < 2:
        return np.zeros(0, dtype=np.int64)
    return (np.flatnonzero(np.diff(utc_us) > gap_us) + 1).astype(np.int64)


def default_gap_us(utc_us: IntArray) -> float:
    """Ten frame intervals: far beyond jitter or a few drops, well below a deliberate pause."""
    intervals = np.diff(utc_us)
    return 10.0 * float(np.median(intervals)) if intervals.size else float("inf")


def plan_concat(sources: list[tuple[str, CameraTrack]], gap_s: float = 0.0) -> ConcatPlan:
    usable = [(label, track) for label, track in sources if track.frame_count]
    if not usable:
        raise PostError("concat: none of the given recordings holds a frame")
    usable.sort(key=lambda item: int(item[1].utc_time_us[0]))
    for (label_a, a), (label_b, b) in itertools.pairwise(usable):
        if int(b.utc_time_us[0]) <= int(a.utc_time_us[-1]):
            raise PostError(
                f"concat: {label_b}/{b.name} starts before {label_a}/{a.name} ends; "
                "segments of one camera must not overlap"
            )
    parts: dict[str, list[IntArray]] = {k: [] for k in ("source", "frame", "segment", "utc", "id", "device")}
    segment = 0
    for position, (_, track) in enumerate(usable):
        utc = track.utc_time_us
        gap_us = gap_s * 1e6 if gap_s > 0 else default_gap_us(utc)
        local_segment = np.zeros(utc.size, dtype=np.int64)
        local_segment[pause_gaps(utc, gap_us)] = 1
        segments = segment + np.cumsum(local_segment)
        parts["source"].append(np.full(utc.size, position, dtype=np.int64))
        parts["frame"].append(np.arange(utc.size, dtype=np.int64))
        parts["segment"].append(segments)
        parts["utc"].append(utc)
        parts["id"].append(track.camera_frame_id)
        parts["device"].append(track.device_time_ns)
        segment = int(segments[-1]) + 1
    return ConcatPlan(
        tuple(usable),
        *(np.concatenate(parts[key]).astype(np.int64) for key in ("source", "frame", "segment", "utc", "id", "device")),
    )


def run_concat(plan: ConcatPlan, keep: npt.NDArray[np.bool_], sink: FrameSink, progress: Progress) -> None:
    """Decode every source once, in order, passing on the frames ``keep`` selects."""
    for position, (_, track) in enumerate(plan.sources):
        rows = np.flatnonzero((plan.source == position) & keep)
        if not rows.size:
            continue
        with FrameReader(track.video, track.pixel_format, crop=track.crop) as reader:
            for row in rows:
                identity = (int(plan.camera_frame_id[row]),)
                index = int(plan.source_frame[row])
                pixels = reader.at(index)
                gop = Gop((position, reader.keyframe), reader.keyframe == index)
                sink.push(pixels, int(plan.utc_time_us[row]), int(row), identity, gop)
                progress(1)


def concat_table(plan: ConcatPlan, rows: IntArray) -> dict[str, object]:
    """The joined timestamp table, in the recorder's own layout plus where each frame came from."""
    utc = plan.utc_time_us[rows]
    origin = int(utc[0]) if utc.size else 0
    return {
        "frame_index": np.arange(rows.size, dtype=np.int64),
        "camera_frame_id": plan.camera_frame_id[rows],
        "host_time_us": utc - origin,
        "utc_time_us": utc,
        "device_time_ns": plan.device_time_ns[rows],
        "segment": plan.segment[rows],
        "source": [plan.sources[int(s)][0] for s in plan.source[rows]],
        "source_frame_index": plan.source_frame[rows],
    }
