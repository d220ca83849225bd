"""What a session's timestamp logger leaves behind if the recorder is killed, and its cleanup.

The DataLogger's two processes never notice that the recorder died: they run on forever, holding
the logger's shared-memory terminator and the session's named semaphores in ``/dev/shm``. Each
session therefore records exactly what it created (process ids with their start times, and the
``/dev/shm`` names) in a small JSON file; a reaper process cleans up the moment the recorder dies,
and ``camd recover`` and the next start clean up after a reaper that died too. Only the objects
named in a record whose owner is gone are touched, never another live session's.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from multiprocessing.synchronize import SemLock
from pathlib import Path
from typing import Any

import psutil

RECORD_NAME = "timestamp-logger.json"
SHM_DIR = Path("/dev/shm")


@dataclass(frozen=True)
class ProcessId:
    """A pid alone can be reused by an unrelated process; with its start time it cannot."""

    pid: int
    started: float

    @classmethod
    def of(cls, pid: int) -> ProcessId | None:
        try:
            return cls(pid, psutil.Process(pid).create_time())
        except psutil.Error:
            return None

    def running(self) -> bool:
        try:
            process = psutil.Process(self.pid)
            return bool(process.create_time() == self.started and process.status() != psutil.STATUS_ZOMBIE)
        except psutil.Error:
            return False


@dataclass
class LoggerLeftovers:
    instance: str
    owner: ProcessId
    processes: list[ProcessId] = field(default_factory=list)
    shared_memory: list[str] = field(default_factory=list)

    def write(self, *paths: Path) -> list[Path]:
        """Writes each record it can and returns those written. A record is a help for cleaning up
        after a crash, never a condition for recording: a full session disk refuses the copy in
        ``logs/`` while the one in the runtime folder (another disk) still lets the reaper work."""
        written: list[Path] = []
        for path in paths:
            tmp = path.with_suffix(".tmp")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp.write_text(json.dumps(asdict(self)))
                tmp.replace(path)
            except OSError:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                continue
            written.append(path)
        return written

    @classmethod
    def read(cls, path: Path) -> LoggerLeftovers | None:
        try:
            data: dict[str, Any] = json.loads(path.read_text())
            return cls(
                instance=str(data["instance"]),
                owner=ProcessId(**data["owner"]),
                processes=[ProcessId(**item) for item in data["processes"]],
                shared_memory=[str(name) for name in data["shared_memory"]],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def remaining(self) -> list[str]:
        """What of this session still exists: running processes and /dev/shm names."""
        alive = [f"pid {process.pid}" for process in self.processes if process.running()]
        return alive + [name for name in self.shared_memory if (SHM_DIR / name).exists()]

    def clean(self) -> None:
        """Kill the session's logger processes and unlink its /dev/shm objects, once its owner died."""
        if self.owner.running():
            return
        for process in self.processes:
            if process.running():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGKILL)
        for name in self.shared_memory:
            if "/" not in name:
                with contextlib.suppress(FileNotFoundError):
                    (SHM_DIR / name).unlink()


def semaphore_names(objects: Iterable[Any], depth: int = 3) -> list[str]:
    """The /dev/shm names (``sem.mp-…``) of every multiprocessing semaphore inside ``objects``
    (an Event holds five: its flag and a condition's four)."""
    names: list[str] = []
    for obj in objects:
        if isinstance(obj, SemLock):
            name = getattr(getattr(obj, "_semlock", None), "name", None)
            if name:
                names.append("sem." + str(name).lstrip("/"))
        elif depth > 0 and hasattr(obj, "__dict__"):
            names.extend(semaphore_names(vars(obj).values(), depth - 1))
    return names


def terminator_name(instance: str) -> str:
    """The DataLogger's shared-memory flag, named after its instance."""
    return f"{instance}_terminator"


def sweep(directory: Path) -> None:
    """Clean every recorded session in ``directory`` whose recorder is gone, and forget it."""
    for path in sorted(directory.glob("*.json")):
        leftovers = LoggerLeftovers.read(path)
        if leftovers is None:
            continue
        if leftovers.owner.running():
            continue
        leftovers.clean()
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
