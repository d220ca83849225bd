"""Per-camera counters shared between a worker and the supervisor without locks or messages.

Each worker owns one row of doubles in shared memory and is its only writer; readers may see a
value one update old, never a torn one (an aligned 8-byte store is atomic on the platforms we run).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any


class WorkerState(IntEnum):
    starting = 0
    recording = 1
    stopping = 2
    finished = 3
    failed = 4
    lost = 5


class Field(IntEnum):
    state = 0
    frames_acquired = 1
    frames_written = 2
    drops_buffer = 3
    drops_frame_id_gap = 4
    ring_depth = 5
    ring_capacity = 6
    last_host_time_us = 7
    encoder_alive = 8
    timestamps_logged = 9
    paused = 10
    pid = 11
    encoder_pid = 12
    paused_frames = 13
    onset_utc_us = 14
    disk_full = 15
    drops_missed_trigger = 16
    drops_incomplete = 17
    ring_high_water = 18
    lateness_max_us = 19
    schedule_lag_max_us = 20
    lateness_last_us = 21
    # written by the camera's analysis process (camera_daemon/analysis/process.py), not the worker
    analysis_state = 22
    analysis_frames = 23
    analysis_skipped = 24
    analysis_latency_us = 25


FIELD_COUNT = len(Field)


def new_status_row(context: Any) -> Any:
    """A shared row of doubles, one per Field; the writer is the worker alone, so no lock."""
    return context.Array("d", FIELD_COUNT, lock=False)


def read_row(row: Any) -> dict[str, float]:
    values = list(row)
    return {field.name: values[field] for field in Field}


@dataclass
class CameraStatus:
    name: str
    state: str
    fps_current: float
    fps_mean: float
    frames_written: int
    frames_acquired: int
    timestamps_logged: int
    drops_buffer: int
    drops_frame_id_gap: int
    ring_depth: int
    ring_capacity: int
    encoder_alive: bool
    seconds_recorded: float
    paused: bool
    pid: int
    encoder_pid: int
    # Frames the camera itself lost (a software trigger it could not keep up with, a buffer that
    # arrived incomplete): no frame id gap shows them, so the backend counts them.
    drops_missed_trigger: int = 0
    drops_incomplete: int = 0
    # Grabbed frames that will not be in the video: known once the worker has ended.
    drops_unsaved: int = 0
    drops_total: int = 0
    # How far behind real time the recording ran: the ring's fullest moment, the longest a frame
    # waited between grab and ffmpeg, and (scheduled sources) the longest a grab came after its due
    # time. Zero drops can still hide frames that arrived late; these show it.
    ring_high_water: int = 0
    lateness_max_us: int = 0
    schedule_lag_max_us: int = 0
    # The camera's analysis callback: off, running, failed or finished; skipped counts frames it
    # was too slow for; last is its newest result, for the preview page.
    analysis: str = "off"
    analysis_frames: int = 0
    analysis_skipped: int = 0
    analysis_latency_ms: float | None = None
    analysis_last: dict[str, Any] | None = None
    analysis_pid: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def status_of(
    name: str,
    row: dict[str, float],
    state: str,
    fps_current: float,
    worker_alive: bool,
    encoder_alive: bool,
    analysis: dict[str, Any],
) -> CameraStatus:
    """One camera's status from its shared row, as `camd status` and the preview page show it."""
    seconds = row["last_host_time_us"] / 1e6
    unsaved = 0
    if not worker_alive:  # what the ring still held when the worker ended is lost
        kept = row["frames_written"] + row["drops_buffer"] + row["paused_frames"]
        unsaved = max(0, int(row["frames_acquired"] - kept))
    return CameraStatus(
        name=name,
        state=state,
        fps_current=round(fps_current, 2),
        fps_mean=round(row["frames_acquired"] / seconds, 2) if seconds > 0 else 0.0,
        frames_written=int(row["frames_written"]),
        frames_acquired=int(row["frames_acquired"]),
        timestamps_logged=int(row["timestamps_logged"]),
        drops_buffer=int(row["drops_buffer"]),
        drops_frame_id_gap=int(row["drops_frame_id_gap"]),
        ring_depth=int(row["ring_depth"]),
        ring_capacity=int(row["ring_capacity"]),
        encoder_alive=encoder_alive,
        seconds_recorded=round(seconds, 3),
        paused=bool(row["paused"]),
        pid=int(row["pid"]),
        encoder_pid=int(row["encoder_pid"]),
        drops_missed_trigger=int(row["drops_missed_trigger"]),
        drops_incomplete=int(row["drops_incomplete"]),
        drops_unsaved=unsaved,
        drops_total=int(row["drops_buffer"] + row["drops_frame_id_gap"])
        + int(row["drops_missed_trigger"] + row["drops_incomplete"])
        + unsaved,
        ring_high_water=int(row["ring_high_water"]),
        lateness_max_us=int(row["lateness_max_us"]),
        schedule_lag_max_us=int(row["schedule_lag_max_us"]),
        **analysis,
    )
