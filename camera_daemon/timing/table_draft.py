"""A camera's timestamp table, written row by row while it records, so a stop only renames it.

Writing the table at stop costs time in proportion to the session (a second per million rows),
and reading the log back to build it costs as much again. The forwarder sees every batch in frame
order anyway: it appends each one to a draft in ``logs/`` and keeps the few numbers the manifest
needs (rows, onset, first and last time). At a clean stop, where the video holds exactly the
frames the draft has rows for, finalize renames the draft into place; in every other case (a
crash, a cut, a draft that could not be written) the draft is dropped and the table is built from
the log as before, so the draft can only save time, never decide what the table says.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import BinaryIO

import numpy as np

from camera_daemon.safe_write import open_new_exclusive
from camera_daemon.timing.records import unpack_batch
from camera_daemon.timing.table import CSV_HEADER, write_csv_rows


class TableDraft:
    def __init__(self, logs_dir: Path, camera: str) -> None:
        self.rows = 0
        self.onset_utc_us: int | None = None
        self.first_host_us: int | None = None
        self.last_host_us: int | None = None
        self._handle: BinaryIO | None = None
        self._path: Path | None = None
        try:
            self._handle, self._path = open_new_exclusive(logs_dir, f".{camera}.timestamps.", ".csv.draft")
            self._handle.write(CSV_HEADER)
        except OSError:
            self.discard()

    @property
    def usable(self) -> bool:
        return self._handle is not None and self.onset_utc_us is not None and self.rows > 0

    def add(self, acquisition_time: int, payload: bytes) -> None:
        """One batch as the worker sent it; anything unexpected (a gap, a full disk) ends the draft."""
        if self._handle is None:
            return
        try:
            raw = np.frombuffer(payload, dtype=np.uint8)
            if acquisition_time == 0:
                self.onset_utc_us = int(np.frombuffer(payload, "<u8")[0])
                return
            records = unpack_batch(raw)
            if self.onset_utc_us is None or records.size == 0 or int(records["frame_index"][0]) != self.rows:
                raise ValueError("batches out of order")
            host = records["host_time_us"].astype(np.int64)
            columns = {
                "frame_index": records["frame_index"].astype(np.int64),
                "camera_frame_id": records["camera_frame_id"].astype(np.int64),
                "host_time_us": host,
                "utc_time_us": host + self.onset_utc_us,
                "device_time_ns": records["device_time_ns"].astype(np.int64),
            }
            write_csv_rows(columns, self._handle)
        except (OSError, ValueError):
            self.discard()
            return
        if self.first_host_us is None:
            self.first_host_us = int(host[0])
        self.last_host_us = int(host[-1])
        self.rows += int(records.size)

    def publish(self, target: Path) -> bool:
        """Rename the draft to ``target``; False (and the draft gone) when it could not be finished."""
        if self._handle is None or self._path is None:
            return False
        try:
            self._handle.close()
            self._handle = None
            os.replace(self._path, target)
        except OSError:
            self.discard()
            return False
        self._path = None
        return True

    def discard(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None
        if self._path is not None:
            with contextlib.suppress(OSError):
                self._path.unlink()
            self._path = None
