"""The forkserver that camera workers fork from, booted as soon as a command knows it will record.

Its boot is a fresh interpreter importing the worker code (numpy, PyAV, the camera backends): about
half a second that nothing else in a start depends on. Booted first thing, it overlaps with the
recorder's own imports and the encoder check instead of following them; by the time the supervisor
forks the first worker, the server is usually ready. Booting it for a command that then fails its
checks costs nothing lasting: the server exits with the process that started it.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import signal
import threading
from multiprocessing.context import ForkServerContext

from camera_daemon.threads import pin_environment

# Imported once by the server, so each forked worker starts with them loaded.
WORKER_PRELOAD = ["camera_daemon.daemon.worker", "camera_daemon.cameras.synthetic"]


def worker_context() -> ForkServerContext:
    """The multiprocessing context every camera worker is started from."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_PRELOAD)
    return context


def boot_worker_server() -> None:
    """Start the server now if it is not running. Processes spawned inside inherit an ignored SIGINT:
    Ctrl-C must reach only the recorder, which then stops its workers in order. Signal handlers
    live in the main thread only, so elsewhere the server is left to boot on first use."""
    worker_context()
    pin_environment()  # before the boot: the server's environment is what every worker inherits
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)
