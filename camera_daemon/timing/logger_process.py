"""Watches the DataLogger's two processes (its queue's manager and the writer) from the supervisor.

The DataLogger reports a dead writer only by raising ``ChildProcessError`` in a thread of its own,
and a dead manager only when the next ``put`` fails, while a ``put`` into a live manager whose
writer is dead succeeds and is silently never written. So liveness is read from the processes
themselves, the logger's own report is caught and kept, and a dead logger is disposed of here so
its shutdown never blocks or prints.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from pathlib import Path
from typing import Any

_JOIN_S = 5.0
_EXIT_REPORT_S = 0.5


def _describe(role: str, process: Any) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        return f"its {role} process (pid {process.pid}) was killed by {signal.Signals(-code).name}"
    return f"its {role} process (pid {process.pid}) exited with code {code}"


class LoggerHandle:
    def __init__(self, logger: Any) -> None:
        self._logger = logger
        self._lock = threading.Lock()
        self.error: str | None = None
        self._stopped = False  # after our own stop its processes end on purpose

    @property
    def name(self) -> str:
        return str(self._logger.name)

    @property
    def output_directory(self) -> Path:
        path: Path = self._logger.output_directory
        return path

    @property
    def alive(self) -> bool:
        return self.error is None

    def processes(self) -> dict[str, Any]:
        """The processes the DataLogger spawned, by role; private to it, so read in this one place."""
        manager = getattr(self._logger._multiprocessing_manager, "_process", None)
        return {"manager": manager, "writer": self._logger._logger_process}

    def pids(self) -> list[int]:
        return [int(process.pid) for process in self.processes().values() if process is not None and process.pid]

    def shared_objects(self) -> list[Any]:
        """Objects holding the logger's named semaphores and shared memory, for leftover records."""
        return [self._logger._terminator_array]

    def start(self) -> None:
        self._logger.start()
        watchdog = self._logger._watchdog_thread
        previous = threading.excepthook

        def keep_report(args: threading.ExceptHookArgs) -> None:
            if args.thread is watchdog and isinstance(args.exc_value, ChildProcessError):
                self.check()
                self.mark_dead("its writer process ended early")
                return
            previous(args)

        threading.excepthook = keep_report

    def put(self, package: Any) -> None:
        self._logger.input_queue.put(package)

    def put_failed(self, error: Exception) -> None:
        """Name the process that died rather than the pipe error its death caused, when it is known:
        a process killed a moment ago may take a few milliseconds to be reported as gone."""
        deadline = time.monotonic() + _EXIT_REPORT_S
        self.check()
        while self.error is None and time.monotonic() < deadline:
            time.sleep(0.01)
            self.check()
        self.mark_dead(f"its queue refused a batch ({type(error).__name__}: {error})")

    def check(self) -> None:
        if self.error is not None or self._stopped:
            return
        for role, process in self.processes().items():
            if process is not None and process.pid and not process.is_alive():
                self.mark_dead(_describe(role, process))
                return

    def mark_dead(self, reason: str) -> None:
        with self._lock:
            if self.error is None:
                self.error = f"timestamp logger (DataLogger) died: {reason}"

    def stop(self) -> None:
        self.check()
        self._stopped = True
        if self.error is None:
            self._logger.stop()
            writer = self._logger._logger_process
            if writer is not None and writer.exitcode:  # a writer that failed while draining died too
                self.mark_dead(_describe("writer", writer))
            self._end_manager()
            return
        self._dispose()

    def _end_manager(self) -> None:
        """The DataLogger leaves its queue's manager running after its stop, until the interpreter
        exits: the recorder's exit then waits for that process to wind down (about 0.3 s). Ended
        from here, in a thread of its own, that wait overlaps with making the files final and with
        the stop's reply instead of delaying either. Ending it twice is a no-op, and an exit that
        comes first still joins the manager (multiprocessing's own exit handler)."""
        manager = self._logger._multiprocessing_manager

        def end() -> None:
            with contextlib.suppress(Exception):
                manager.shutdown()

        threading.Thread(target=end, name="logger-manager-end", daemon=True).start()

    def _dispose(self) -> None:
        """End what is left of a dead logger without its own stop, which waits on the dead writer
        and prints a warning camd already reports in its own words."""
        logger = self._logger
        with logger._shutdown_lock:
            logger._started = False
            terminator = logger._terminator_array
            with contextlib.suppress(Exception):
                if terminator is not None:
                    terminator[0] = 1  # ends the DataLogger's watchdog thread
        for process in self.processes().values():
            if process is not None and process.pid and process.is_alive():
                process.kill()
            if process is not None and process.pid:
                process.join(_JOIN_S)
        if logger._watchdog_thread is not None:
            logger._watchdog_thread.join(_JOIN_S)
        with contextlib.suppress(Exception):
            if terminator is not None:
                terminator.disconnect()
                terminator.destroy()
