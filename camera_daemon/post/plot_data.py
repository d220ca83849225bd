"""The numbers behind each report plot, prepared without a plotting library.

Kept apart from the drawing so that what a plot claims (which frame ids are missing, how far each
camera sat from the reference) is plain arrays a test can compare exactly, and so that preparing
them never loads matplotlib. All times are seconds of session time: zero is the first frame any
camera logged, so every camera shares one axis whatever the reference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv

from camera_daemon.post.align import AlignedFrames
from camera_daemon.post.session_io import MANIFEST_NAME, CameraTrack, SessionTracks
from camera_daemon.timing.arrow_columns import column_array

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
UNKNOWN_ID = -1
HEALTH_COLUMNS = ("host_time_us", "ring_depth", "ring_capacity", "lateness_us")


@dataclass(frozen=True)
class IntervalSeries:
    """Interval before each frame (ms) at that frame's session time (s); nominal is None when free-running."""

    time_s: FloatArray
    interval_ms: FloatArray
    nominal_ms: float | None


@dataclass(frozen=True)
class DropEvents:
    """Frames one camera never saved: their ids where the camera counts frames, else UNKNOWN_ID.

    A missing frame has no logged time, so each one is placed between the logged times of the frames
    either side of its gap, in proportion to its id: a position to see, not a measurement.
    """

    frame_id: IntArray
    time_s: FloatArray
    source: str  # "camera_frame_id" or "intervals"
    buffer_drops: int | None  # the recorder's count of frames lost to a full ring; None if not recorded
    camera_gaps: int | None  # frames the camera itself skipped, as counted while grabbing
    missing_ticks_s: FloatArray  # reference ticks this camera had no frame for


@dataclass(frozen=True)
class HealthSeries:
    """One camera's ring depth and lateness over time, read from its health log."""

    time_s: FloatArray
    ring_depth: FloatArray
    ring_capacity: float
    lateness_ms: FloatArray


def session_origin_us(session: SessionTracks) -> int:
    firsts = [int(track.utc_time_us[0]) for track in session.cameras if track.frame_count]
    return min(firsts, default=0)


def frame_intervals(tracks: tuple[CameraTrack, ...], origin_us: int) -> dict[str, IntervalSeries]:
    series = {}
    for track in tracks:
        utc = track.utc_time_us
        nominal = 1e3 / track.nominal_fps if track.nominal_fps > 0 else None
        series[track.name] = IntervalSeries((utc[1:] - origin_us) / 1e6, np.diff(utc) / 1e3, nominal)
    return series


def offsets_ms(aligned: AlignedFrames, origin_us: int) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Tick times (s) and, per camera, its matched frame's time minus the tick (ms); NaN where none matched."""
    tick_s = (aligned.tick_utc_us - origin_us) / 1e6
    offsets = {}
    for column, name in enumerate(aligned.cameras):
        present = aligned.source_index[:, column] >= 0
        offsets[name] = np.where(present, aligned.offset_us[:, column] / 1e3, np.nan)
    return tick_s, offsets


def _spread(before_s: float, after_s: float, count: int) -> FloatArray:
    return before_s + (after_s - before_s) * np.arange(1, count + 1) / (count + 1)


def missing_frames(track: CameraTrack, origin_us: int) -> tuple[IntArray, FloatArray, str]:
    """Every frame id absent between two saved frames; without ids, intervals over 1.5x the median."""
    ids, times_s = track.camera_frame_id, (track.utc_time_us - origin_us) / 1e6
    missing_ids: list[int] = []
    missing_s: list[float] = []
    if ids.size > 1 and np.all(ids >= 0):
        for position in np.flatnonzero(np.diff(ids) > 1):
            gap = range(int(ids[position]) + 1, int(ids[position + 1]))
            missing_ids.extend(gap)
            missing_s.extend(_spread(float(times_s[position]), float(times_s[position + 1]), len(gap)))
        return np.asarray(missing_ids, dtype=np.int64), np.asarray(missing_s, dtype=np.float64), "camera_frame_id"
    if times_s.size >= 3:
        intervals = np.diff(times_s)
        median = float(np.median(intervals))
        for position in np.flatnonzero(intervals > 1.5 * median):
            count = max(round(float(intervals[position]) / median) - 1, 1)
            missing_s.extend(_spread(float(times_s[position]), float(times_s[position + 1]), count))
    return np.full(len(missing_s), UNKNOWN_ID, dtype=np.int64), np.asarray(missing_s, dtype=np.float64), "intervals"


def gap_labels(events: DropEvents, most: int = 40) -> list[tuple[str, float]]:
    """One label per run of consecutive missing ids ("30-31"), at the run's middle; none past ``most``
    runs, where labels would only cover each other."""
    known = events.frame_id != UNKNOWN_ID
    ids, times = events.frame_id[known], events.time_s[known]
    runs = np.split(np.arange(ids.size), np.flatnonzero(np.diff(ids) != 1) + 1) if ids.size else []
    if len(runs) > most:
        return []
    return [
        (f"{ids[run[0]]}" if run.size == 1 else f"{ids[run[0]]}-{ids[run[-1]]}", float(times[run].mean()))
        for run in runs
    ]


def recorder_drop_counts(folder: Path) -> dict[str, tuple[int | None, int | None]]:
    """Per camera (buffer drops, camera-side gaps) as the recorder counted them; empty without a manifest."""
    try:
        cameras = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8")).get("cameras", {})
    except (OSError, ValueError):
        return {}
    counts = {}
    for name, entry in cameras.items() if isinstance(cameras, dict) else ():
        buffer, gaps = entry.get("drops_buffer"), entry.get("drops_frame_id_gap")
        counts[name] = (buffer if isinstance(buffer, int) else None, gaps if isinstance(gaps, int) else None)
    return counts


def drop_events(session: SessionTracks, aligned: AlignedFrames, origin_us: int) -> dict[str, DropEvents]:
    counts = recorder_drop_counts(session.folder)
    tick_s = (aligned.tick_utc_us - origin_us) / 1e6
    events = {}
    for track in session.cameras:
        if track.name not in aligned.cameras:
            continue
        ids, times, source = missing_frames(track, origin_us)
        unmatched = aligned.column(track.name) < 0
        buffer, gaps = counts.get(track.name, (None, None))
        events[track.name] = DropEvents(ids, times, source, buffer, gaps, tick_s[unmatched])
    return events


def health_log_path(folder: Path, camera: str) -> Path:
    return folder / "logs" / f"{camera}.health.csv"


def read_health(session: SessionTracks, origin_us: int) -> tuple[dict[str, HealthSeries], list[str]]:
    """Health series of the cameras whose log exists, and why any log was passed over.

    The recorder does not write such a log yet, so this is usually empty and the report leaves the
    plot out rather than drawing anything it cannot back. A damaged log costs only this plot.
    """
    series, notes = {}, []
    for track in session.cameras:
        path = health_log_path(session.folder, track.name)
        if not path.exists():
            continue
        try:
            table = pacsv.read_csv(path)
        except (OSError, pa.ArrowInvalid) as error:
            notes.append(f"{path.name}: not readable ({error})")
            continue
        missing = [name for name in HEALTH_COLUMNS if name not in table.column_names]
        if missing:
            notes.append(f"{path.name}: column(s) {', '.join(missing)} missing")
            continue
        columns = {name: column_array(table, name, np.float64) for name in HEALTH_COLUMNS}
        series[track.name] = HealthSeries(
            time_s=(columns["host_time_us"] + track.onset_utc_us - origin_us) / 1e6,
            ring_depth=columns["ring_depth"],
            ring_capacity=float(columns["ring_capacity"].max()) if table.num_rows else 0.0,
            lateness_ms=columns["lateness_us"] / 1e3,
        )
    return series, notes
