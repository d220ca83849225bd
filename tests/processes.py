"""Helpers for tests that kill parts of a running recorder: find its processes, wait on its files."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil


def wait_until(condition: Callable[[], Any], timeout_s: float = 60.0, what: str = "the expected state") -> Any:
    """Poll a condition; the deadline only bounds a failing test."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"never reached {what}"
        time.sleep(0.02)


def logged_entries(session: Path) -> int:
    """DataLogger entries on disk: proof that batches of frames went through the recorder."""
    return sum(1 for _ in session.glob("logs/*_data_log/*.npy"))


def logger_processes(recorder_pid: int) -> list[psutil.Process]:
    """The DataLogger's two spawned processes (its queue manager, then its writer) under a recorder."""
    found = []
    for child in psutil.Process(recorder_pid).children(recursive=True):
        try:
            if any("spawn_main" in part for part in child.cmdline()):
                found.append(child)
        except psutil.Error:
            continue
    return sorted(found, key=lambda process: process.create_time())


def running(process: psutil.Process) -> bool:
    """A zombie is over: it only waits for a parent (here possibly a non-reaping init) to collect it."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def interrupt_when(process: subprocess.Popen[str], ready: Callable[[], Any]) -> tuple[float, float, str]:
    """Ctrl-C a recorder once ``ready`` holds, as a user would; returns how long it took to exit,
    the UTC time of the request (to compare with times the workers wrote) and its stderr."""
    try:
        wait_until(ready, what="the recorder ready for Ctrl-C")
        asked, asked_utc = time.monotonic(), time.time()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        return time.monotonic() - asked, asked_utc, stderr
    finally:
        if process.poll() is None:
            process.kill()
