"""A tiny process that outlives a killed recorder just long enough to end its timestamp logger.

It blocks on a pipe only the recorder holds. ``stop`` on the pipe means a clean stop (nothing to
do); end of file without it means the recorder died: the logger is asked to flush and end through
its own terminator flag, then whatever is left of it is killed and its /dev/shm objects unlinked.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path

from camera_daemon.timing.leftovers import SHM_DIR, LoggerLeftovers, terminator_name

CLEAN_STOP = b"stop"
_DRAIN_S = 3.0


class Reaper:
    """The recorder's side: start the reaper, and release it at a clean stop."""

    def __init__(self, records: list[Path]) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "camera_daemon.timing.reaper", *map(str, records)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def release(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        with contextlib.suppress(OSError):
            stdin.write(CLEAN_STOP)
            stdin.close()
        self._process.wait()


def _drain_then_clean(leftovers: LoggerLeftovers) -> None:
    with contextlib.suppress(OSError), (SHM_DIR / terminator_name(leftovers.instance)).open("r+b") as flag:
        flag.write(b"\x01")  # the logger writes out what its queue holds, then ends by itself
    deadline = time.monotonic() + _DRAIN_S
    while any(process.running() for process in leftovers.processes[1:]) and time.monotonic() < deadline:
        time.sleep(0.05)
    leftovers.clean()


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the recorder's to handle
    message = sys.stdin.buffer.read()
    if message == CLEAN_STOP:
        return 0
    paths = [Path(arg) for arg in argv]
    leftovers = next((found for path in paths if (found := LoggerLeftovers.read(path)) is not None), None)
    if leftovers is None:
        return 1
    _drain_then_clean(leftovers)
    for path in paths[1:]:  # the runtime copy; the session's own copy stays as its history
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
