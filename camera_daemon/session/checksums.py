"""The videos' sha256, filled into the manifest after the stop has replied.

Hashing reads every byte of every video: after an hour of four cameras that is seconds, and it
grows with the session. Nothing a stop must guarantee depends on it (the files are final when ffmpeg
closes them), so a stop writes ``"sha256": "pending"`` and a detached process started when the
recorder lets go of the session hashes the videos side by side and writes the sums in.

That process holds no lock: ``camd recover`` or ``--force`` may run meanwhile. It writes the sums
only where the manifest still says ``pending`` and the video is the very file it hashed (same inode,
size and modification time), so a rebuilt session keeps its own checksums.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from camera_daemon.session.manifest import read_manifest, sha256_of, write_manifest

PENDING = "pending"
_MANIFEST = "manifest.json"


def _identity(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _pending(manifest: dict[str, Any]) -> dict[str, str]:
    cameras: dict[str, Any] = manifest.get("cameras") or {}
    return {name: str(entry["video"]) for name, entry in cameras.items() if entry.get("sha256") == PENDING}


def has_pending(root: Path) -> bool:
    try:
        return bool(_pending(read_manifest(root / _MANIFEST)))
    except (OSError, ValueError):
        return False


def fill_pending(root: Path) -> int:
    """Hash every video the manifest marks pending and write the sums in; returns how many were written."""
    pending = _pending(read_manifest(root / _MANIFEST))

    def digest(video: str) -> tuple[tuple[int, int, int], str | None]:
        path = root / video
        try:
            before = _identity(path)
            value = sha256_of(path)
            return before, value if _identity(path) == before else None
        except OSError:
            return (0, 0, 0), None

    with ThreadPoolExecutor(max_workers=max(1, min(4, len(pending)))) as pool:  # hashlib releases the GIL
        sums = dict(zip(pending, pool.map(digest, pending.values()), strict=True))
    manifest = read_manifest(root / _MANIFEST)
    written = 0
    for name, (identity, value) in sums.items():
        entry = (manifest.get("cameras") or {}).get(name)
        if value is None or entry is None or entry.get("sha256") != PENDING:
            continue
        with contextlib.suppress(OSError):
            if _identity(root / entry["video"]) == identity:
                entry["sha256"] = value
                written += 1
    if written:
        write_manifest(root / _MANIFEST, manifest)
    return written


def start_in_background(root: Path) -> None:
    """Detached from the recorder (own session, no inherited descriptors): its exit, a Ctrl-C in its
    terminal or a stop of the daemon does not cut the hashing short."""
    if not has_pending(root):
        return
    with contextlib.suppress(OSError):
        subprocess.Popen(
            [sys.executable, "-m", "camera_daemon.session.checksums", str(root)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )


if __name__ == "__main__":
    with contextlib.suppress(OSError, ValueError):
        fill_pending(Path(sys.argv[1]))
