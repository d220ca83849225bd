"""Ends a recording command without the interpreter's teardown, once everything it made is final.

After ``camd run`` the process holds numpy, PyAV, pyarrow, aiohttp and the rest of the recorder:
freeing it all, module by module, takes 0.3-0.8 s on a 2-core machine, after the session is
already complete, and a user or script waits for the exit code. Exit handlers still run (the
multiprocessing finalizers, logging's flush), and standard output is flushed, so the command
prints and returns exactly what it would have; only the freeing of memory the OS reclaims anyway
is skipped. While a non-daemon thread still runs, the exit takes the ordinary path, which waits
for it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading

_armed = False


def arm() -> None:
    """Called once the session's files, manifest and report are final."""
    global _armed
    _armed = True


def exit_if_armed(ending: SystemExit) -> None:
    """Exit now with ``ending``'s status when armed and nothing else must be waited for; else return."""
    if not _armed or any(
        t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()
    ):
        return
    code = ending.code
    if code is not None and not isinstance(code, int):
        sys.stderr.write(f"{code}\n")
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing left to say to it
            stream.flush()
    os._exit(code or 0)
