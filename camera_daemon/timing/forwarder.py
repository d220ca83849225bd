"""Moves timestamp batches from every worker's pipe into the session's DataLogger.

One pipe per worker, so a worker killed mid-write can corrupt only its own channel: the forwarder
drops that channel at its first bad read and keeps serving the others.
"""

from __future__ import annotations

import threading
import uuid
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

import numpy as np


class LogForwarder:
    def __init__(self, logs_dir: Path) -> None:
        # The logger names a shared-memory block after its instance: two sessions recording at once
        # (two daemons, parallel tests) must not share one, or stopping one would stop both.
        instance = f"timestamps_{uuid.uuid4().hex[:12]}"
        # Imported on use: loading the logger's libraries takes half a second, which a start spends
        # while the camera processes boot rather than before they are spawned.
        from ataraxis_data_structures import DataLogger, LogPackage

        self._package: Any = LogPackage
        self._logger = DataLogger(logs_dir, instance, thread_count=2, poll_interval=10)
        self._channels: dict[Connection, int] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.entries = 0

    def start(self) -> None:
        self._logger.start()
        self._thread = threading.Thread(target=self._run, name="log-forwarder", daemon=True)
        self._thread.start()

    def add_channel(self, reader: Connection, source_id: int) -> None:
        with self._lock:
            self._channels[reader] = source_id

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
                        self._channels.pop(reader, None)
                    reader.close()
                    continue
                source_id = self._channels[reader]
                self._logger.input_queue.put(
                    self._package(
                        source_id=np.uint8(source_id),
                        acquisition_time=np.uint64(acquisition_time),
                        serialized_data=np.frombuffer(payload, dtype=np.uint8),
                    )
                )
                self.entries += 1

    @property
    def directory(self) -> Path:
        return self._logger.output_directory

    def stop(self) -> None:
        """Drain every channel (workers have ended, so each reaches EOF), then flush the logger."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        self._logger.stop()
