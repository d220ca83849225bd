"""Where third-party libraries' own output goes: into a log, unless the user asked to see it.

GenTL producers (through the genicam extension), OpenCV and ffmpeg write straight to file
descriptor 2, past Python's logging, so a camd command would print their lines around its own
one-line report. A recording keeps them in its session's ``logs/`` (each worker's stderr is its
log); a command without a session sends them to one log file in the user's cache folder.
``camd -v`` (``CAMD_VERBOSE=1``) leaves them on the terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs

VERBOSE_ENV = "CAMD_VERBOSE"


def verbose() -> bool:
    return os.environ.get(VERBOSE_ENV, "") not in ("", "0")


def set_verbose() -> None:
    """Through the environment, so every process the command starts sees the same choice."""
    os.environ[VERBOSE_ENV] = "1"


def noise_log() -> Path:
    return platformdirs.user_cache_path("camera-daemon") / "third-party.log"


def _open_log(path: Path) -> int:
    """The log, or the null device where it cannot be written: hiding noise must never fail a command."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError:
        return os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)


@contextmanager
def third_party_output(log: Path | None = None) -> Iterator[Path | None]:
    """Descriptor 2 goes to ``log`` (default: ``noise_log()``) for the duration; camd's own report
    is printed after this block ends, so it still reaches the terminal. Yields where it went."""
    if verbose():
        yield None
        return
    target = log or noise_log()
    descriptor = _open_log(target)
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(descriptor, 2)
    os.close(descriptor)
    try:
        yield target
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
