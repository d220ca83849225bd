"""Moves timestamp batches from every worker's pipe into the session's journal and DataLogger.

One pipe per worker, so a worker killed mid-write can corrupt only its own channel: the forwarder
drops that channel at its first bad read and keeps serving the others. Every batch is journaled
first (see journal.py) and only then offered to the DataLogger, so the logger's two processes may
die at any time without costing a timestamp: the forwarder notes the death, stops feeding the
logger, and keeps journaling.

The DataLogger takes a second or more to start, and its first ``put`` can block as long again, while
cameras record. So one thread reads and journals from the moment the workers exist, and a second
one feeds the logger from a queue: batches wait in memory for the logger, never in a pipe that a
crash would empty, and a slow or hung logger never delays the journal.
"""

from __future__ import annotations

import os
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import numpy as np

from camera_daemon.timing.journal import JournalWriter, journal_path
from camera_daemon.timing.logger_process import LoggerHandle
from camera_daemon.timing.table_draft import TableDraft

_HEALTH_CHECK_S = 0.1


@contextmanager
def _stderr_into(path: Path) -> Iterator[None]:
    """The logger's processes inherit this file as their stderr: their tracebacks belong in the
    session's logs, not among the one-line messages camd prints."""
    with path.open("ab") as target:
        saved = os.dup(2)
        os.dup2(target.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


class LogForwarder:
    def __init__(self, logs_dir: Path) -> None:
        # The logger names a shared-memory block after its instance: two sessions recording at once
        # (two daemons, parallel tests) must not share one, or stopping one would stop both.
        self.instance = f"timestamps_{uuid.uuid4().hex[:12]}"
        self._logs_dir = logs_dir
        self._package: Any = None
        self._logger: LoggerHandle | None = None
        # Journaled batches on their way to the logger, in arrival order; None ends the feeder.
        self._feed: queue.SimpleQueue[tuple[int, int, bytes] | None] = queue.SimpleQueue()
        self._channels: dict[Connection, tuple[int, JournalWriter]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._feeder: threading.Thread | None = None
        self._stopping = threading.Event()
        self.entries = 0
        self._journals: list[JournalWriter] = []
        self._drafts: dict[int, TableDraft] = {}

    @property
    def logger(self) -> LoggerHandle:
        assert self._logger is not None, "start_logger() first"
        return self._logger

    def start(self) -> None:
        """Starts journaling at once; the DataLogger joins later, in ``start_logger``."""
        self._thread = threading.Thread(target=self._run, name="log-forwarder", daemon=True)
        self._thread.start()

    def start_logger(self) -> None:
        # Imported on use: loading the logger's libraries takes half a second, which a start spends
        # while the camera processes boot rather than before they are spawned.
        from ataraxis_data_structures import DataLogger, LogPackage

        self._package = LogPackage
        with _stderr_into(self._logs_dir / "timestamp-logger.log"):
            logger = LoggerHandle(DataLogger(self._logs_dir, self.instance, thread_count=2, poll_interval=10))
            logger.start()
        self._logger = logger
        self._feeder = threading.Thread(target=self._feed_logger, args=(logger,), name="log-feeder", daemon=True)
        self._feeder.start()

    def add_channel(self, reader: Connection, source_id: int, camera: str | None = None) -> None:
        journal = JournalWriter(journal_path(self._logs_dir, camera or f"source{source_id:03d}"))
        with self._lock:
            self._channels[reader] = (source_id, journal)
            self._journals.append(journal)
            if camera is not None:
                self._drafts[source_id] = TableDraft(self._logs_dir, camera)

    def draft(self, source_id: int) -> TableDraft | None:
        """The table written while recording (table_draft.py); complete once ``stop_journaling`` returned."""
        return self._drafts.get(source_id)

    def _run(self) -> None:
        while True:
            with self._lock:
                readers = list(self._channels)
            if not readers:
                if self._stopping.is_set():
                    return
                self._stopping.wait(0.05)
                continue
            for reader in wait(readers, timeout=0.1):
                assert isinstance(reader, Connection)
                try:
                    acquisition_time, payload = reader.recv()
                except (EOFError, OSError, ValueError, TypeError):
                    with self._lock:
                        _, journal = self._channels.pop(reader)
                    journal.close()
                    reader.close()
                    continue
                source_id, journal = self._channels[reader]
                journal.append(source_id, acquisition_time, payload)
                draft = self._drafts.get(source_id)
                if draft is not None:
                    draft.add(acquisition_time, payload)
                self._feed.put((source_id, acquisition_time, payload))
                self.entries += 1

    def _feed_logger(self, logger: LoggerHandle) -> None:
        last_check = 0.0
        while True:
            try:
                entry = self._feed.get(timeout=_HEALTH_CHECK_S)
            except queue.Empty:
                entry = (0, 0, b"")  # nothing to offer; only the health check below
            if time.monotonic() - last_check >= _HEALTH_CHECK_S:
                last_check = time.monotonic()
                logger.check()
            if entry is None:
                return
            if not entry[2]:
                continue
            if logger.alive:  # else the journal already holds this batch
                self._offer(logger, *entry)

    def _offer(self, logger: LoggerHandle, source_id: int, acquisition_time: int, payload: bytes) -> None:
        package = self._package(
            source_id=np.uint8(source_id),
            acquisition_time=np.uint64(acquisition_time),
            serialized_data=np.frombuffer(payload, dtype=np.uint8),
        )
        try:
            logger.put(package)
        except Exception as error:  # a dead manager surfaces as any connection error
            logger.put_failed(error)

    @property
    def directory(self) -> Path:
        return self.logger.output_directory

    def health(self) -> dict[str, Any]:
        if self._logger is None:  # still starting: every batch so far is journaled
            return {"alive": True, "error": None, "journaled": self.entries}
        self._logger.check()
        return {
            "alive": self._logger.alive,
            "error": self._logger.error,
            "journaled": self.entries,
            "journal_error": "; ".join(j.error for j in self._journals if j.error) or None,
        }

    def stop_journaling(self) -> None:
        """Drain every channel (workers have ended, so each reaches EOF), close the journals, and hand
        the last batches to the logger: from here on the journals hold every batch and the logger's
        health is known (a dead logger shows when it refuses a batch), so the tables and the manifest
        can be written while the logger's own processes still wind down."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            for _, journal in self._channels.values():
                journal.close()
        if self._feeder is not None and self._feeder.is_alive():
            self._feed.put(None)
            self._feeder.join()

    def stop(self) -> None:
        """``stop_journaling``, then stop the logger (a second or more: its processes end in turn)."""
        self.stop_journaling()
        if self._logger is not None and self._feeder is not None:
            self._logger.stop()
