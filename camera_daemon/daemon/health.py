"""``logs/<camera>.health.csv``: once a second per camera, how close the recording ran to its limits.

Written by a thread of the supervisor from the shared status rows, never by the worker: the frame
path pays nothing for it, and a worker that stalls still gets rows that show the stall. CPU shares
come from /proc (utime + stime of the worker and of its ffmpeg), so no extra dependency is needed.
The QC report draws ring depth and lateness from these files (post/plot_data.py).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from camera_daemon.daemon.status import Field

COLUMNS = (
    "host_time_us",
    "ring_depth",
    "ring_capacity",
    "ring_high_water",
    "fps",
    "frames",
    "drops",
    "lateness_us",
    "encoder_alive",
    "cpu_worker_pct",
    "cpu_ffmpeg_pct",
    "analysis_skipped",  # frames the callback fell behind on (0 without one); the encoder backlog is ring_depth
)
_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    if pid <= 0:
        return None
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process, or None once it is gone."""
    fields = _stat(pid)
    return None if fields is None else (int(fields[11]) + int(fields[12])) / _TICKS


def age_s(pid: int) -> float | None:
    """Seconds since a process started (the boot clock /proc counts its start on), or None once gone.

    A process born after the previous sample (ffmpeg starts after the baseline) still gets a share:
    everything it used falls within its own life, so its age, not the sample period, is the divisor.
    """
    fields = _stat(pid)
    if fields is None:
        return None
    return max(1e-6, time.clock_gettime(time.CLOCK_BOOTTIME) - int(fields[19]) / _TICKS)


class _Camera:
    def __init__(self, name: str, row: Any, logs: Path) -> None:
        self.row = row
        self.handle: IO[str] | None = None
        self.path = logs / f"{name}.health.csv"
        self.last: tuple[float, float, float | None, float | None] | None = None

    def sample(self, now: float) -> list[str] | None:
        row = self.row
        frames = float(row[Field.frames_acquired])
        worker_cpu, ffmpeg_cpu = cpu_seconds(int(row[Field.pid])), cpu_seconds(int(row[Field.encoder_pid]))
        previous, self.last = self.last, (now, frames, worker_cpu, ffmpeg_cpu)
        onset = row[Field.onset_utc_us]
        if previous is None or onset <= 0:
            return None  # rates need two samples; times need the worker's onset
        elapsed = max(1e-6, now - previous[0])

        def share(before: float | None, after: float | None, pid: int) -> str:
            if after is None:
                return ""  # gone: no honest figure for this second
            if before is None:  # not yet running (or not yet known) at the previous sample
                age = age_s(pid)
                return "" if age is None else f"{100.0 * after / min(elapsed, age):.1f}"
            return f"{100.0 * (after - before) / elapsed:.1f}"

        drops = sum(row[field] for field in (Field.drops_buffer, Field.drops_frame_id_gap, Field.drops_missed_trigger))
        return [
            str(time.time_ns() // 1000 - int(onset)),
            str(int(row[Field.ring_depth])),
            str(int(row[Field.ring_capacity])),
            str(int(row[Field.ring_high_water])),
            f"{(frames - previous[1]) / elapsed:.2f}",
            str(int(row[Field.frames_written])),
            str(int(drops + row[Field.drops_incomplete])),
            str(int(row[Field.lateness_last_us])),
            str(int(row[Field.encoder_alive])),
            share(previous[2], worker_cpu, int(row[Field.pid])),
            share(previous[3], ffmpeg_cpu, int(row[Field.encoder_pid])),
            str(int(row[Field.analysis_skipped])),
        ]

    def write(self, cells: list[str]) -> None:
        if self.handle is None:
            self.handle = self.path.open("a", encoding="ascii")
            if self.handle.tell() == 0:
                self.handle.write(",".join(COLUMNS) + "\n")
        self.handle.write(",".join(cells) + "\n")
        self.handle.flush()


class HealthLog:
    """Samples every camera's status row once per ``period_s`` until ``stop``."""

    def __init__(self, logs: Path, cameras: Sequence[tuple[str, Any]], period_s: float = 1.0) -> None:
        self._cameras = [_Camera(name, row, logs) for name, row in cameras]
        self._period_s = period_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="health-log", daemon=True)
        self.error: str | None = None

    def start(self) -> None:
        for camera in self._cameras:
            camera.sample(time.monotonic())  # the baseline for the first second's rates
        self._thread.start()

    def _run(self) -> None:
        due = time.monotonic()  # rows keep to whole periods: a slow write does not shift the next
        while not self._stop.wait(max(0.0, due + self._period_s - time.monotonic())):
            now = time.monotonic()
            due = due + self._period_s if now - due < 2 * self._period_s else now  # a stall: no burst of rows
            for camera in self._cameras:
                cells = camera.sample(now)
                if cells is None:
                    continue
                try:
                    camera.write(cells)
                except OSError as error:  # a full disk: the recording matters more than this log
                    self.error = f"{camera.path.name} not written ({error.strerror})"

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        for camera in self._cameras:
            if camera.handle is not None:
                with contextlib.suppress(OSError):
                    camera.handle.close()
