"""``logs/<camera>.analysis.pid``: which process ``camd recover`` may kill, should it outlive its recorder.

Kept apart from recovery.py so the analysis process pays no pyarrow.compute import to write it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from camera_daemon.safe_write import write_text_atomic


def pid_record(logs_dir: Path, camera: str) -> Path:
    return logs_dir / f"{camera}.analysis.pid"


def pid_start_time(pid: int) -> str | None:
    """The kernel's start tick of a process: a reused pid has another, so a record never kills a stranger."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def write_pid_record(logs_dir: Path, camera: str) -> None:
    pid = os.getpid()
    with contextlib.suppress(OSError):
        write_text_atomic(pid_record(logs_dir, camera), f"{pid} {pid_start_time(pid)}\n")
