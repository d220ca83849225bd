"""Run one function beside the stitch, in a forked child when that is safe, else in a thread.

The report's figures need only the alignment, so they are drawn while the video encodes. Drawn in a
thread, matplotlib's pure-Python work holds the GIL for most of a second, and the frame loop, which
gives the GIL up around every decode and encode call, waits for it each time: decoding took five
times as long while the figures were drawn. A child forked before any decoder or encoder thread
exists shares no lock with the frame loop and starts with everything already imported and loaded.
The caller still waits for the figures and gets the child's exception, as it would from a thread.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from camera_daemon.post.errors import PostError

# Figures of even a long session take seconds; a child silent this long is stuck, not slow, and the
# caller draws them itself instead of waiting forever.
ANSWER_TIMEOUT_S = 300.0


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
            status = 1
            try:  # nothing may escape: the child would go on running the parent's code after fork()
                os.close(read)
                try:
                    outcome: tuple[str, Any] = ("value", fn(*args))
                except BaseException as error:
                    outcome = ("error", error)
                try:
                    payload = pickle.dumps(outcome)
                except Exception as error:
                    payload = pickle.dumps(("error", PostError(f"{self._name}: {outcome[1]!r} ({error})")))
                with os.fdopen(write, "wb") as channel:
                    channel.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> T:
        if self._future is not None:
            try:
                return self._future.result()
            finally:
                self.cancel()
        payload = self._answer()
        if payload is None:  # no answer in time: a lock a native thread held at fork() never opens
            self.cancel()
            fn, args = self._call
            return fn(*args)
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

    def _answer(self) -> bytes | None:
        """The child's whole answer (read to the end before waiting, or a full pipe would block it),
        or None if it stays silent past ``ANSWER_TIMEOUT_S``."""
        chunks: list[bytes] = []
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                return None
            chunk = os.read(self._read, 1 << 16)
            if not chunk:
                os.close(self._read)
                return b"".join(chunks)
            chunks.append(chunk)

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
