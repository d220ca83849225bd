"""Packs a finished session's DataLogger entries into the per-source ``<source>_log.npz`` archives
that ataraxis tools read (``LogArchiveReader``, ``axvs process``).

The logger writes one ``.npy`` file per entry: an hour of four cameras leaves about 57,600 of them.
Packing is ataraxis-data-structures' own ``assemble_log_archives``, with ``memory_mapping=False``:
memory-mapped, it keeps a file open per entry and fails with "too many open files" past about 20k.
It runs in a process of its own (``python -m camera_daemon.timing.archive LOGS``): the function
spawns a worker pool, which re-imports the caller's main module, and a fresh interpreter is the
one main module sure to allow that, whoever called. Readers in camd read both forms, so a session
whose packing never ran, or was cut short, reads the same.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = ".assembling"
LOG_NAME = "assemble.log"
DAMAGED_NAME = "damaged"


@contextlib.contextmanager
def _exclusive(directory: Path) -> Iterator[bool]:
    """Two packers in one folder would both write the same archive and both delete the entries:
    the second one to start leaves the folder alone."""
    fd = os.open(directory / LOCK_NAME, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def assemble_logs(logs_dir: Path) -> list[Path]:
    """Pack every ``logs/*_data_log`` folder that still holds loose entries; returns the archives.

    A folder that already has an archive is left as it is: packing again would replace that
    archive with only the loose entries, and readers merge both forms anyway."""
    archives: list[Path] = []
    for directory in sorted(logs_dir.glob("*_data_log")):
        if directory.is_symlink() or not directory.is_dir():
            continue
        if any(directory.glob("*_log.npz")) or not any(directory.glob("*.npy")):
            archives.extend(sorted(directory.glob("*_log.npz")))
            continue
        with _exclusive(directory) as mine:
            if mine:
                _assemble(directory)
        archives.extend(sorted(directory.glob("*_log.npz")))
    return archives


def _assemble(directory: Path) -> None:
    from ataraxis_data_structures import assemble_log_archives

    def pack() -> None:
        assemble_log_archives(directory, remove_sources=True, memory_mapping=False, verify_integrity=True)

    try:
        pack()
    except ValueError:  # an entry cut short by a crash stops the whole packing
        if not _set_aside_damaged(directory):
            raise
        pack()


def _set_aside_damaged(directory: Path) -> int:
    """Entries a crash cut short hold no frame time any reader could use (they are skipped, and
    their frames reported as missing); moved into ``damaged/``, kept, they no longer stop packing."""
    import numpy as np

    moved = 0
    for path in sorted(directory.glob("*.npy")):
        try:
            np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError):
            (directory / DAMAGED_NAME).mkdir(exist_ok=True)
            path.rename(directory / DAMAGED_NAME / path.name)
            moved += 1
    return moved


def _command(logs_dir: Path) -> list[str]:
    return [sys.executable, "-m", "camera_daemon.timing.archive", str(logs_dir)]


def _log_fd(logs_dir: Path) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
    return os.open(logs_dir / LOG_NAME, flags, 0o600)  # never written through a link


def assemble_detached(logs_dir: Path) -> None:
    """Pack in the background, after the recorder's reply: nobody waits for it, and its output goes
    to ``logs/assemble.log``. A failure loses nothing; the loose entries stay readable."""
    try:
        log = _log_fd(logs_dir)
    except OSError:
        return
    try:
        command = _command(logs_dir)
        subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    except OSError:
        pass
    finally:
        os.close(log)


def assemble_and_wait(logs_dir: Path, timeout_s: float = 3600.0) -> bool:
    """Pack now (``camd recover``); False when packing failed: the loose entries are still there."""
    log = _log_fd(logs_dir)
    try:
        result = subprocess.run(_command(logs_dir), stdin=subprocess.DEVNULL, stdout=log, stderr=log, timeout=timeout_s)
    except (OSError, subprocess.TimeoutExpired):
        return False
    finally:
        os.close(log)
    return result.returncode == 0


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m camera_daemon.timing.archive LOGS_DIR\n")
        return 2
    for archive in assemble_logs(Path(argv[0])):
        sys.stdout.write(f"{archive}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
