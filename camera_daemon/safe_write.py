"""Writing inside a session folder without ever following a link someone planted there.

A session folder may sit in a shared place. A predictable temporary name (``manifest.json.tmp``)
or target that is already a symbolic link would make a plain ``open(path, "w")`` write through it,
into whatever file the link points at. Every temporary file is therefore created fresh under a
random name with ``O_CREAT | O_EXCL | O_NOFOLLOW`` (what ``tempfile.mkstemp`` does) and then
renamed over the target: a rename replaces a link at the target instead of writing through it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def open_new_exclusive(directory: Path, prefix: str, suffix: str = "") -> tuple[BinaryIO, Path]:
    """A brand-new file under an unpredictable name in ``directory``, open for reading and writing.

    Readable too, because some writers (an mp4 muxer moving its index to the front) read back what
    they wrote.
    """
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=directory)
    return os.fdopen(fd, "w+b"), Path(name)


def write_atomic(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Let ``write`` fill a fresh temporary file, then rename it over ``path``: readers see the old
    file or the new one, never half of one, and a link at ``path`` is replaced, not followed."""
    handle, tmp = open_new_exclusive(path.parent, f".{path.name}.", ".tmp")
    try:
        with handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, lambda handle: handle.write(text.encode("utf-8")))
