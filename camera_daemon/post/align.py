"""Put every camera on one UTC clock and match each reference tick to each camera's nearest frame.

Nothing here opens a file: inputs are arrays of UTC µs, outputs are arrays of frame indices, so the
same calls run locally or as cluster tasks. A tick with no frame within tolerance is marked -1 and
stays missing: a frame is never invented or borrowed from further away than the user allowed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from camera_daemon.post.errors import PostError, PostOptionError

IntArray = npt.NDArray[np.int64]
MISSING = -1
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:fps|hz)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    """The timeline output frames follow: a camera's own frames, or a fixed rate across all cameras."""

    camera: str | None = None
    rate_fps: float = 0.0
    union: bool = False  # every moment any camera has a frame: redundant copies lose no slot

    @staticmethod
    def parse(text: str, cameras: Sequence[str]) -> Reference:
        """'' -> first camera; a camera name; or a rate such as '30', '29.97fps'."""
        if not text:
            return Reference(camera=cameras[0])
        if text in cameras:
            return Reference(camera=text)
        match = _RATE.match(text)
        if match and float(match.group(1)) > 0:
            return Reference(rate_fps=float(match.group(1)))
        raise PostOptionError(
            f"--reference / [post] reference '{text}' is neither a camera ({', '.join(cameras)}) "
            "nor a rate such as '30fps'"
        )

    def describe(self) -> str:
        if self.union:
            return "union of all cameras' frames"
        return f"camera {self.camera}" if self.camera else f"fixed {self.rate_fps:g} fps"


@dataclass(frozen=True)
class AlignedFrames:
    """One row per output frame: its UTC time, and per camera the source frame index or -1."""

    tick_utc_us: IntArray
    cameras: tuple[str, ...]
    source_index: IntArray  # (ticks, cameras)
    offset_us: IntArray  # source frame time minus tick time; 0 where missing

    @property
    def tick_count(self) -> int:
        return int(self.tick_utc_us.size)

    def column(self, camera: str) -> IntArray:
        return self.source_index[:, self.cameras.index(camera)]

    def select(self, rows: npt.NDArray[np.bool_] | IntArray) -> AlignedFrames:
        return AlignedFrames(self.tick_utc_us[rows], self.cameras, self.source_index[rows], self.offset_us[rows])


def median_interval_us(utc_us: IntArray) -> float:
    if utc_us.size < 2:
        return 0.0
    return float(np.median(np.diff(utc_us)))


def fixed_rate_ticks(start_us: int, stop_us: int, rate_fps: float) -> IntArray:
    """Ticks k/rate after start, computed from k so rounding never accumulates into drift."""
    count = int(np.floor((stop_us - start_us) * rate_fps / 1e6)) + 1
    return start_us + np.round(np.arange(max(count, 0)) * (1e6 / rate_fps)).astype(np.int64)


def union_ticks(camera_times: dict[str, IntArray]) -> IntArray:
    """One tick per moment any camera has a frame: frames closer than half the shortest interval are
    one moment (the same slot seen by several copies), and the tick is that moment's earliest frame."""
    times = np.sort(np.concatenate([t for t in camera_times.values() if t.size] or [np.zeros(0, dtype=np.int64)]))
    if times.size == 0:
        return times.astype(np.int64)
    intervals = [median_interval_us(t) for t in camera_times.values() if t.size > 1]
    window = min(intervals) / 2 if intervals else 0.0
    ticks = [int(times[0])]
    for time in times[1:]:
        if time - ticks[-1] > window:
            ticks.append(int(time))
    return np.asarray(ticks, dtype=np.int64)


def reference_ticks(reference: Reference, camera_times: dict[str, IntArray]) -> IntArray:
    if reference.union:
        return union_ticks(camera_times)
    if reference.camera is not None:
        return camera_times[reference.camera]
    starts = [int(times[0]) for times in camera_times.values() if times.size]
    stops = [int(times[-1]) for times in camera_times.values() if times.size]
    if not starts:
        return np.zeros(0, dtype=np.int64)
    return fixed_rate_ticks(min(starts), max(stops), reference.rate_fps)


def reference_interval_us(reference: Reference, camera_times: dict[str, IntArray]) -> float:
    if reference.union:
        return min((median_interval_us(t) for t in camera_times.values() if t.size > 1), default=0.0)
    if reference.camera is not None:
        return median_interval_us(camera_times[reference.camera])
    return 1e6 / reference.rate_fps


def default_tolerance_us(reference: Reference, camera_times: dict[str, IntArray]) -> dict[str, float]:
    """Per camera, half of the longer of the reference interval and the camera's own interval.

    Half the reference interval alone is too narrow for a camera slower than the reference: a 10 fps
    camera against a 30 fps reference would match only every third tick although each of its frames
    is the newest picture for ~100 ms. Half the longer interval is the widest window in which a frame is
    still unambiguously the nearest one for its own rate.
    """
    ticks = reference_interval_us(reference, camera_times)
    return {name: max(ticks, median_interval_us(times)) / 2 for name, times in camera_times.items()}


def nearest_within(ticks_us: IntArray, times_us: IntArray, tolerance_us: float) -> tuple[IntArray, IntArray]:
    """For each tick the index of the nearest frame (earlier wins a tie) and its offset, -1 if too far.

    ``times_us`` must be sorted; because ticks are sorted too, the chosen indices never go backwards,
    which lets the stitcher decode each video once, front to back.
    """
    if times_us.size == 0:
        return np.full(ticks_us.size, MISSING, dtype=np.int64), np.zeros(ticks_us.size, dtype=np.int64)
    right = np.clip(np.searchsorted(times_us, ticks_us, side="left"), 0, times_us.size - 1)
    left = np.clip(right - 1, 0, times_us.size - 1)
    left_gap = np.abs(times_us[left] - ticks_us)
    right_gap = np.abs(times_us[right] - ticks_us)
    chosen = np.where(left_gap <= right_gap, left, right).astype(np.int64)
    offset = times_us[chosen] - ticks_us
    outside = np.abs(offset) > tolerance_us
    chosen[outside] = MISSING
    offset[outside] = 0
    return chosen, offset.astype(np.int64)


def align(
    camera_times: dict[str, IntArray], reference: Reference, tolerance_us: float | dict[str, float] | None = None
) -> AlignedFrames:
    """``tolerance_us``: one window for every camera, one per camera, or None for ``default_tolerance_us``."""
    for name, times in camera_times.items():
        if times.size > 1 and np.any(np.diff(times) < 0):
            raise PostError(f"camera '{name}': frame times go backwards; its timestamp table is damaged")
    ticks = reference_ticks(reference, camera_times)
    if tolerance_us is None:
        tolerance = default_tolerance_us(reference, camera_times)
    elif isinstance(tolerance_us, dict):
        tolerance = tolerance_us
    else:
        tolerance = dict.fromkeys(camera_times, float(tolerance_us))
    names = tuple(camera_times)
    indices = np.full((ticks.size, len(names)), MISSING, dtype=np.int64)
    offsets = np.zeros((ticks.size, len(names)), dtype=np.int64)
    for column, name in enumerate(names):
        if reference.camera == name:
            indices[:, column] = np.arange(ticks.size)
            continue
        indices[:, column], offsets[:, column] = nearest_within(ticks, camera_times[name], tolerance[name])
    return AlignedFrames(ticks.astype(np.int64), names, indices, offsets)


@dataclass(frozen=True)
class CameraStats:
    """What the report says about one camera; drops are exact where the camera counts its frames."""

    name: str
    frames: int
    drops: int
    drops_from: str  # "camera_frame_id" or "intervals"
    drop_positions: IntArray  # frame indices after which frames went missing
    mean_rate_fps: float
    median_interval_us: float
    missing_ticks: int
    mean_abs_offset_us: float
    max_abs_offset_us: int


def count_drops(camera_frame_id: IntArray, utc_us: IntArray) -> tuple[int, str, IntArray]:
    """Drops from gaps in the device counter when every frame has one, else from intervals > 1.5x median."""
    if camera_frame_id.size > 1 and np.all(camera_frame_id >= 0):
        gaps = np.diff(camera_frame_id) - 1
        where = np.flatnonzero(gaps > 0)
        return int(gaps[gaps > 0].sum()), "camera_frame_id", where.astype(np.int64)
    if utc_us.size < 3:
        return 0, "intervals", np.zeros(0, dtype=np.int64)
    intervals = np.diff(utc_us)
    median = float(np.median(intervals))
    long = intervals > 1.5 * median
    missed = np.round(intervals[long] / median).astype(np.int64) - 1
    return int(np.maximum(missed, 0).sum()), "intervals", np.flatnonzero(long).astype(np.int64)


def camera_stats(name: str, camera_frame_id: IntArray, utc_us: IntArray, aligned: AlignedFrames) -> CameraStats:
    drops, source, positions = count_drops(camera_frame_id, utc_us)
    span = float(utc_us[-1] - utc_us[0]) if utc_us.size > 1 else 0.0
    column = aligned.cameras.index(name)
    present = aligned.source_index[:, column] >= 0
    offsets = np.abs(aligned.offset_us[present, column])
    return CameraStats(
        name=name,
        frames=int(utc_us.size),
        drops=drops,
        drops_from=source,
        drop_positions=positions,
        mean_rate_fps=(utc_us.size - 1) * 1e6 / span if span > 0 else 0.0,
        median_interval_us=median_interval_us(utc_us),
        missing_ticks=int((~present).sum()),
        mean_abs_offset_us=float(offsets.mean()) if offsets.size else 0.0,
        max_abs_offset_us=int(offsets.max()) if offsets.size else 0,
    )
