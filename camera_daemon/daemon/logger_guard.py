"""What a session's timestamp logger holds (processes, shared memory, semaphores), kept on record
while it runs, so that a recorder killed outright leaves nothing behind that a reaper or the next
session cannot free (timing/leftovers.py, timing/reaper.py)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from camera_daemon.daemon.runtime import runtime_dir
from camera_daemon.timing.forwarder import LogForwarder
from camera_daemon.timing.leftovers import (
    RECORD_NAME,
    LoggerLeftovers,
    ProcessId,
    semaphore_names,
    sweep,
    terminator_name,
)
from camera_daemon.timing.reaper import Reaper


def _records() -> Path:
    return runtime_dir() / "loggers"


def sweep_earlier_sessions() -> None:
    """Free what earlier killed sessions left behind and nobody reaped."""
    sweep(_records())


class LoggerGuard:
    def __init__(self) -> None:
        self._reaper: Reaper | None = None
        self._runtime_record: Path | None = None

    def guard(self, forwarder: LogForwarder, links: Sequence[Any], logs: Path) -> None:
        """Record what this session's logger holds, and start the reaper that frees it if we die."""
        owner = ProcessId.of(os.getpid())
        assert owner is not None
        shared = [*links, *forwarder.logger.shared_objects()]
        leftovers = LoggerLeftovers(
            instance=forwarder.instance,
            owner=owner,
            processes=[pid for pid in map(ProcessId.of, forwarder.logger.pids()) if pid is not None],
            shared_memory=[terminator_name(forwarder.instance), *semaphore_names(shared)],
        )
        self._runtime_record = _records() / f"{forwarder.instance}.json"
        records = [logs / RECORD_NAME, self._runtime_record]
        leftovers.write(*records)
        self._reaper = Reaper(records)

    def release(self) -> None:
        """The logger has stopped in order: nothing is left to reap."""
        if self._reaper is not None:
            self._reaper.release()
        if self._runtime_record is not None:
            self._runtime_record.unlink(missing_ok=True)
