"""The lock that makes a live session untouchable: ``--force`` and ``camd recover`` refuse it.

``flock`` on ``<session>/.lock`` is held by the process that records from the moment the folder is
created until its manifest is final. The kernel drops it when the last holder exits, so a killed
recorder never leaves a stale lock behind, and no pid file has to be trusted to decide.

Who holds it: the recording process (``camd run``, or the daemon behind ``camd start``, which
receives the launcher's descriptor) and every camera worker, which inherits it through the
forkserver. A worker outlives a SIGKILLed supervisor until its encoder has closed the video; while
it still writes, recovering the session would cut the video under it, so the session stays locked
until the last worker is gone. ffmpeg and the logger processes never get the descriptor (it is
close-on-exec), so a stray encoder cannot keep a session locked.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from multiprocessing import reduction
from pathlib import Path
from typing import Any

from camera_daemon.errors import ConfigError, SessionExistsError

LOCK_NAME = ".lock"


class SessionBusyError(SessionExistsError):
    """Another process is recording into the session (exit 3, like any occupied session)."""


class SessionLock:
    """An exclusive lock on one session folder; pickling it hands the descriptor to a child process."""

    def __init__(self, fd: int, root: Path) -> None:
        self._fd = fd
        self.root = root

    @classmethod
    def acquire(cls, root: Path) -> SessionLock:
        """Take the lock or raise: ``SessionBusyError`` when a recorder holds it, ``ConfigError`` when
        the lock file (or the folder) is a link, which nothing of camd ever follows."""
        try:
            folder_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as error:
            message = f"cannot open session folder {root} ({error.strerror}); it must be a real folder, not a link"
            raise ConfigError(message) from None
        try:
            flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
            fd = os.open(LOCK_NAME, flags, 0o600, dir_fd=folder_fd)
        except OSError as error:
            raise ConfigError(
                f"cannot open {root / LOCK_NAME} ({error.strerror}); it must be a plain file, not a link: remove it"
            ) from None
        finally:
            os.close(folder_fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            raise SessionBusyError(_busy_message(root, holder)) from None
        lock = cls(fd, root)
        lock.claim()
        return lock

    def claim(self) -> None:
        """Record this process as the holder, so a refusal can name the pid to stop.

        Only a courtesy: the flock is the lock. On a full disk the pid may not fit, and a refusal
        then just names no pid, so the write may fail without stopping anything.
        """
        if self._fd < 0:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, f"{os.getpid()}\n".encode(), 0)

    def fileno(self) -> int:
        return self._fd

    def release(self) -> None:
        """Close this process's descriptor. No LOCK_UN: that would unlock it for a worker that still
        holds the same open file; the lock ends when the last holder closes or exits."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    @classmethod
    def adopt(cls, fd: int, root: Path) -> SessionLock:
        """Take over a descriptor passed by the launcher; keep it out of every later exec."""
        os.set_inheritable(fd, False)
        lock = cls(fd, root)
        lock.claim()
        return lock

    def __enter__(self) -> SessionLock:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (reduction.DupFd(self._fd), self.root))  # type: ignore[no-untyped-call]


def _rebuild(duplicate: Any, root: Path) -> SessionLock:
    return SessionLock(duplicate.detach(), root)


def _read_pid(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(fd, 32, 0).decode().strip())
    return None


def _busy_message(root: Path, pid: int | None) -> str:
    if pid is None:
        return f"session {root} is being recorded; stop it first (camd stop)"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return (
            f"session {root} is still being written by the camera workers of pid {pid}, which has exited; "
            "wait until they finish, then run camd recover"
        )
    except PermissionError:
        pass
    return f"session {root} is being recorded by pid {pid}; stop it first (camd stop)"


@contextlib.contextmanager
def held_for_reading(root: Path) -> Iterator[None]:
    """A shared lock for a command that reads a session and adds files to it (``camd timestamps``):
    a live session is refused (``SessionBusyError``, exit 3) since its tables are not final, while
    a session without a lock file or on a read-only disk is still readable; nothing is written."""
    try:
        fd = os.open(root / LOCK_NAME, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        yield
        return
    except OSError as error:
        raise ConfigError(
            f"cannot open {root / LOCK_NAME} ({error.strerror}); it must be a plain file, not a link: remove it"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SessionBusyError(_busy_message(root, _read_pid(fd))) from None
        yield
    finally:
        os.close(fd)
