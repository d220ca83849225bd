"""Free space on the session's disk: a guard that ends a recording before the disk fills, and a
reserve that lets a session become final when it filled anyway.

ffmpeg, the timestamp logger and the result files all write to the same disk. When it fills, the
first writer to meet ENOSPC dies, and without room nothing after it (tables, manifest) can be
written. So a file of ``reserve_megabytes`` is allocated at start and given back the moment a
camera reports the disk full (the worker unlinks it itself, within a frame of the failure), which
leaves room for the other encoders' last clusters, the log's last batches, the tables and the
manifest. Those other writers can eat all of it, so a second, small reserve is given back only by
the supervisor once every writer has stopped, right before the tables and manifest are written.
The guard, checked on every supervisor poll, stops the session cleanly before that.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from pathlib import Path

from camera_daemon.config import DiskConfig
from camera_daemon.errors import CamdError
from camera_daemon.session.finalize import FINAL_RESERVE_NAME, RESERVE_NAME

_MIB = 1 << 20
# The write rate is taken over at least this long, so one burst of a cluster does not swing it.
_RATE_WINDOW_S = 2.0
# Room kept for the tables and manifest alone: a manifest and some 25,000 table rows.
_FINAL_RESERVE_BYTES = 1 << 20


class DiskFullError(CamdError):
    """The session's disk has no room left for the video."""


def is_disk_full(error: OSError) -> bool:
    return error.errno in (errno.ENOSPC, errno.EDQUOT)


def free_bytes(path: Path) -> int:
    """Space an unprivileged writer can still use: the guard stops before root's reserved blocks."""
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def looks_full(path: Path, reserve: Path | None, margin_bytes: int) -> bool:
    """Whether an encoder that died just now most likely died of ENOSPC.

    ffmpeg's own log is on the same full disk, so its reason is usually lost; the free space tells
    instead. A reserve that is already gone means another camera found the disk full first.
    """
    if reserve is not None and not reserve.exists():
        return True
    try:
        return free_bytes(path) < margin_bytes
    except OSError:
        return False


def release_reserve(reserve: Path | None) -> None:
    if reserve is not None:
        with contextlib.suppress(OSError):
            reserve.unlink()


def mib(value: float) -> str:
    return f"{value / _MIB:.1f} MiB"


class DiskGuard:
    def __init__(self, root: Path, logs: Path, config: DiskConfig) -> None:
        self.root = root
        self.config = config
        self.reserve_path = logs / RESERVE_NAME if config.reserve_megabytes > 0 else None
        self.final_path = logs / FINAL_RESERVE_NAME if config.reserve_megabytes > 0 else None
        self.free = 0
        self.seconds_left: float | None = None
        self._mark: tuple[float, int] | None = None

    @property
    def min_free_bytes(self) -> int:
        return self.config.min_free_megabytes * _MIB

    def reserve(self) -> None:
        """Checks the guard once and allocates the reserve, before any camera starts."""
        reason = self.check()
        if reason is not None:
            raise DiskFullError(f"{reason}; free space there or lower [disk] min_free_megabytes")
        if self.reserve_path is None or self.final_path is None:
            return
        try:
            _allocate(self.final_path, _FINAL_RESERVE_BYTES)
            _allocate(self.reserve_path, self.config.reserve_megabytes * _MIB)
        except OSError as error:
            self.release()
            with contextlib.suppress(OSError):
                self.free = free_bytes(self.root)
            needs = self.config.reserve_megabytes + _FINAL_RESERVE_BYTES // _MIB
            raise DiskFullError(
                f"disk full: {self.root} has {mib(self.free)} free, the reserve needs {needs} MiB free "
                f"({error.strerror}); free space there or lower [disk] reserve_megabytes"
            ) from None

    def release(self) -> None:
        release_reserve(self.reserve_path)
        release_reserve(self.final_path)

    def check(self) -> str | None:
        """Samples free space and the write rate; returns why recording must stop, or None."""
        try:
            self.free = free_bytes(self.root)
        except OSError:
            return None
        now = time.monotonic()
        if self._mark is None:
            self._mark = (now, self.free)
        elif now - self._mark[0] >= _RATE_WINDOW_S:
            rate = (self._mark[1] - self.free) / (now - self._mark[0])
            self.seconds_left = round(max(0, self.free - self.min_free_bytes) / rate, 1) if rate > 0 else None
            self._mark = (now, self.free)
        if self.config.min_free_megabytes > 0 and self.free < self.min_free_bytes:
            return (
                f"disk guard: free space on {self.root} fell to {mib(self.free)}, below "
                f"[disk] min_free_megabytes = {self.config.min_free_megabytes}"
            )
        return None


def _allocate(path: Path, size: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.posix_fallocate(descriptor, 0, size)
    finally:
        os.close(descriptor)
