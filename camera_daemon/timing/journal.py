"""A per-camera append-only copy of every timestamp batch, kept beside the DataLogger's entries.

The DataLogger runs as two processes of its own; if either dies, every batch still queued in it is
gone. The journal is written by the supervisor itself, one ``write()`` per batch, before the batch
is handed to the logger, so a frame's timestamp is on disk (in the OS's page cache, which outlives
any process) whatever happens to the logger. Either store alone rebuilds the tables.

Record layout (little endian): ``u32 length`` of what follows the CRC, ``u32 crc32`` of it, then
``u8 source id``, ``u64 acquisition time`` and the payload. A crash can tear only the last record;
the reader stops at the first record that is short or fails its CRC.
"""

from __future__ import annotations

import contextlib
import os
import struct
import zlib
from pathlib import Path

import numpy as np

JOURNAL_SUFFIX = ".timestamps.journal"
_PREFIX = struct.Struct("<II")
_KEY = struct.Struct("<BQ")
# Batches kept in memory while the disk is full: some hours of one camera's timestamps.
_PENDING_LIMIT_BYTES = 16 << 20


def journal_path(logs_dir: Path, camera: str) -> Path:
    return logs_dir / f"{camera}{JOURNAL_SUFFIX}"


class JournalWriter:
    """Unbuffered on purpose: each batch must leave this process in the same call that logs it.

    The journal is the second store, never the only one: a write it cannot make (a full disk) does
    not end the recording. The record is cut back off the file, so no torn record sits in the
    middle, and it waits in memory, in order, until a later append or ``close`` finds room (the
    supervisor frees its reserve before the last drain). ``error`` says what is still unwritten.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records = 0
        self.error: str | None = None
        self._size = 0
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            self._size = os.fstat(self._fd).st_size
        except OSError as error:
            self._fd = -1
            self.error = f"{path.name} could not be opened ({error.strerror})"

    def append(self, source_id: int, acquisition_time: int, payload: bytes) -> bool:
        """Journal one batch; False while batches wait for room (the DataLogger has them meanwhile)."""
        body = _KEY.pack(source_id, acquisition_time) + payload
        record = _PREFIX.pack(len(body), zlib.crc32(body)) + body
        if self._fd >= 0 and self._pending_bytes + len(record) <= _PENDING_LIMIT_BYTES:
            self._pending.append(record)
            self._pending_bytes += len(record)
        elif self._fd >= 0:  # too much waiting: later batches cannot be journaled in order any more
            unwritten = len(self._pending)
            self.error = f"{self.path.name} stopped after {self.records} batches (no room for {unwritten} more)"
            self._close_fd()
        return self._drain()

    def _drain(self) -> bool:
        while self._pending and self._fd >= 0:
            record = self._pending[0]
            view = memoryview(record)
            try:
                while view:
                    view = view[os.write(self._fd, view) :]
            except OSError as error:
                with contextlib.suppress(OSError):
                    os.ftruncate(self._fd, self._size)  # a torn record would hide every later one
                self.error = f"{self.path.name}: {len(self._pending)} batches wait for room ({error.strerror})"
                return False
            self._pending.pop(0)
            self._pending_bytes -= len(record)
            self._size += len(record)
            self.records += 1
        if self._fd >= 0 and not self._pending:
            self.error = None
        return self.error is None

    def close(self) -> None:
        """A last try for what waits, then close; ``error`` stays set if something was never written."""
        if self._fd >= 0:
            if not self._drain():
                self.error = f"{self.path.name} stopped after {self.records} batches ({len(self._pending)} not written)"
            self._close_fd()

    def _close_fd(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self._fd = -1
        self._pending.clear()
        self._pending_bytes = 0


def read_journal(path: Path) -> list[tuple[int, int, np.ndarray]]:  # type: ignore[type-arg]
    """Every intact record as (source id, acquisition time, payload); a torn tail is dropped."""
    data = path.read_bytes()
    entries: list[tuple[int, int, np.ndarray]] = []  # type: ignore[type-arg]
    offset = 0
    while offset + _PREFIX.size <= len(data):
        length, crc = _PREFIX.unpack_from(data, offset)
        start = offset + _PREFIX.size
        body = data[start : start + length]
        if length < _KEY.size or len(body) < length or zlib.crc32(body) != crc:
            break  # the record a crash cut short: everything before it is intact, nothing after it was written
        source_id, acquisition_time = _KEY.unpack_from(body)
        entries.append((source_id, acquisition_time, np.frombuffer(body[_KEY.size :], dtype=np.uint8)))
        offset = start + length
    return entries
