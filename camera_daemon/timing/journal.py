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

import os
import struct
import zlib
from pathlib import Path

import numpy as np

JOURNAL_SUFFIX = ".timestamps.journal"
_PREFIX = struct.Struct("<II")
_KEY = struct.Struct("<BQ")


def journal_path(logs_dir: Path, camera: str) -> Path:
    return logs_dir / f"{camera}{JOURNAL_SUFFIX}"


class JournalWriter:
    """Unbuffered on purpose: each batch must leave this process in the same call that logs it.

    The journal is the second store, never the only one: a write it cannot make (a full disk) ends
    the journal, not the recording. The DataLogger keeps receiving every batch, and ``error`` says
    from which record on the journal is incomplete, so neither a reader nor the manifest trusts it
    past that point.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records = 0
        self.error: str | None = None
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as error:
            self._fd = -1
            self.error = f"{path.name} could not be opened ({error.strerror})"

    @property
    def failed(self) -> bool:
        return self.error is not None

    def append(self, source_id: int, acquisition_time: int, payload: bytes) -> bool:
        """Journal one batch; False once the journal has failed (the batch then lives in the logger only)."""
        if self._fd < 0:
            return False
        body = _KEY.pack(source_id, acquisition_time) + payload
        record = _PREFIX.pack(len(body), zlib.crc32(body)) + body
        view = memoryview(record)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except OSError as error:
            # A part-written record fails its CRC, so the reader stops right before it.
            self.error = f"{self.path.name} stopped after {self.records} batches ({error.strerror})"
            self.close()
            return False
        self.records += 1
        return True

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


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
