"""Run one function beside the stitch, in a forked child when that is safe, else in a thread.

The report's figures need only the alignment, so they are drawn while the video encodes. Drawn in a
thread, matplotlib's pure-Python work holds the GIL for most of a second, and the frame loop, which
gives the GIL up around every decode and encode call, waits for it each time: decoding took five
times as long while the figures were drawn. A child forked before any decoder or encoder thread
exists shares no lock with the frame loop and starts with everything already imported and loaded.
The caller still waits for the figures and gets the child's exception, as it would from a thread.

``camd stitch`` goes one step further with ``prewarm``: it forks the child before importing the
stitch code, so the child imports matplotlib on the second core while this process imports PyAV,
OpenCV and pydantic on the first, and is ready when the alignment is; the work then travels to it
through a pipe.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, NoReturn

from camera_daemon.post.errors import PostError


class Beside[T]:
    """``fn(*args)`` started now; ``result()`` waits for it and returns its value or raises its error.

    A child that dies without an answer (killed, crashed in native code) costs time, not the
    result: ``result()`` then runs ``fn`` itself."""

    def __init__(self, name: str, fn: Callable[..., T], *args: Any) -> None:
        self._name = name
        self._call = (fn, args)
        self._pid = 0
        self._read = -1
        self._future: Future[T] | None = None
        self._pool: ThreadPoolExecutor | None = None
        warm = _take_warm()
        if warm is not None and warm.send(fn, args):
            self._pid, self._read = warm.pid, warm.answers
            return
        # fork copies only the calling thread: with another Python thread alive (the recorder's
        # control loop, a Dask worker) a lock it holds would stay locked in the child forever
        if threading.active_count() == 1 and hasattr(os, "fork"):
            try:
                self._fork(fn, args)
                return
            except OSError:
                pass
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._future = self._pool.submit(fn, *args)

    def _fork(self, fn: Callable[..., T], args: tuple[Any, ...]) -> None:
        read, write = os.pipe()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # or the child would print the parent's buffered output a second time
        with warnings.catch_warnings():
            # Python warns whenever native threads exist; here they are idle pools (Arrow's CPU
            # pool, jemalloc, OpenBLAS) that re-create themselves in a child through their own
            # at-fork handlers, and the child never touches the locks of a Python thread
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: run, send the outcome, leave without running the parent's exit handlers
            os.close(read)
            _answer(write, self._name, fn, args)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> T:
        if self._future is not None:
            try:
                return self._future.result()
            finally:
                self.cancel()
        with os.fdopen(self._read, "rb") as channel:
            payload = channel.read()  # read to the end before waiting, or a full pipe would block the child
        self._read = -1
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if not payload or os.waitstatus_to_exitcode(status) != 0:
            fn, args = self._call
            return fn(*args)
        kind, value = pickle.loads(payload)
        if kind == "error":
            raise value
        return value  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Stop it: the child is killed and reaped; a thread cannot be killed, so it is waited for."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = 0
        if self._read >= 0:
            os.close(self._read)
            self._read = -1


def _answer(write: int, name: str, fn: Callable[..., Any], args: tuple[Any, ...]) -> NoReturn:
    """In a child: run ``fn``, send the pickled outcome, and leave without the parent's exit handlers."""
    try:
        outcome: tuple[str, Any] = ("value", fn(*args))
    except BaseException as error:
        outcome = ("error", error)
    try:
        payload = pickle.dumps(outcome)
    except Exception as error:
        payload = pickle.dumps(("error", PostError(f"{name}: {outcome[1]!r} ({error})")))
    with os.fdopen(write, "wb") as channel:
        channel.write(payload)
    os._exit(0)


class _Warm:
    """A forked child that imported ``modules`` and waits for one call on a pipe."""

    def __init__(self, modules: tuple[str, ...]) -> None:
        work_read, self._work = os.pipe()
        self.answers, answer_write = os.pipe()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self._work)
            os.close(self.answers)
            for module in modules:
                with contextlib.suppress(ImportError):  # the call itself will say what is missing
                    importlib.import_module(module)
            with os.fdopen(work_read, "rb") as channel:
                request = channel.read()
            if not request:  # the parent went away or did not need it
                os._exit(0)
            fn, args = pickle.loads(request)
            _answer(answer_write, "prewarmed", fn, args)
        os.close(work_read)
        os.close(answer_write)

    def send(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> bool:
        """Hand the call over; False (and the child gone) when it cannot be pickled or delivered."""
        try:
            request = pickle.dumps((fn, args))
        except (pickle.PicklingError, TypeError, AttributeError):
            self.discard()
            return False
        work, self._work = self._work, -1
        try:
            with os.fdopen(work, "wb") as channel:
                channel.write(request)
        except OSError:
            self.discard()
            return False
        return True

    def discard(self) -> None:
        for descriptor in (self._work, self.answers):
            if descriptor >= 0:
                os.close(descriptor)
        self._work = self.answers = -1
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


_warm: _Warm | None = None
# what drawing the report's figures imports: matplotlib's Agg canvas and the figure code itself
FIGURE_MODULES = ("camera_daemon.post.report", "matplotlib.figure", "matplotlib.backends.backend_agg")


def prewarm(modules: tuple[str, ...] = FIGURE_MODULES) -> None:
    """Fork the child for the next ``Beside`` now, importing ``modules`` while this process goes on;
    only from a process with a single thread, and at most one at a time."""
    global _warm
    if _warm is None and threading.active_count() == 1 and hasattr(os, "fork"):
        try:
            _warm = _Warm(modules)
        except OSError:
            _warm = None


def _take_warm() -> _Warm | None:
    global _warm
    warm, _warm = _warm, None
    return warm


def discard_prewarmed() -> None:
    """Stop a prewarmed child nobody used (an error came first, or the work went to Dask)."""
    warm = _take_warm()
    if warm is not None:
        warm.discard()
