"""Collects per-frame records in the worker and sends them out in batches.

A batch goes out every ``flush_interval_us`` of host time (default 250 ms) or when full, so a
crash loses at most that much of the log, while the DataLogger (about 1 ms of CPU per entry)
sees a few entries a second per camera. The worker sends plain bytes through its own pipe; the
supervisor wraps them into DataLogger packages, so a worker never loads the logger's libraries.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from camera_daemon.timing.records import FRAME_RECORD, onset_payload, pack_batch


class EntrySink(Protocol):
    def send(self, obj: object) -> None: ...


class TimestampBatcher:
    def __init__(self, sink: EntrySink, capacity: int = 256, flush_interval_us: int = 250_000) -> None:
        self._sink = sink
        self._rows = np.zeros(capacity, dtype=FRAME_RECORD)
        self._count = 0
        self._flush_interval_us = flush_interval_us
        self._batch_start_us = 0
        self.logged = 0

    def log_onset(self, onset_utc_us: int) -> None:
        """The onset entry is keyed at time 0, which no frame can have (host times start at 1)."""
        self._sink.send((0, onset_payload(onset_utc_us).tobytes()))

    def add(self, frame_index: int, camera_frame_id: int, host_time_us: int, device_time_ns: int) -> None:
        if self._count == 0:
            self._batch_start_us = host_time_us
        row = self._rows[self._count]
        row["frame_index"] = frame_index
        row["camera_frame_id"] = camera_frame_id
        row["host_time_us"] = host_time_us
        row["device_time_ns"] = device_time_ns
        self._count += 1
        if self._count == self._rows.size or host_time_us - self._batch_start_us >= self._flush_interval_us:
            self.flush()

    def flush_if_due(self, host_time_us: int) -> None:
        """Called when no frame comes (pause, slow camera) so pending rows still reach disk in time."""
        if self._count and host_time_us - self._batch_start_us >= self._flush_interval_us:
            self.flush()

    def flush(self) -> None:
        if self._count == 0:
            return
        batch = self._rows[: self._count]
        self._sink.send((int(batch[0]["host_time_us"]), pack_batch(batch).tobytes()))
        self.logged += self._count
        self._count = 0
