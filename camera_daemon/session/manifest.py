"""manifest.json: what a session holds and how it ended, written atomically so it is never half a file.

It is written once when recording starts (exit state ``recording``) and again when files are
final, so a folder whose manifest still says ``recording`` is visibly an interrupted session.
"""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path
from typing import Any

from camera_daemon import __version__
from camera_daemon.encoding.binary import ffmpeg_version
from camera_daemon.redact import redact_all
from camera_daemon.safe_write import write_text_atomic

MANIFEST_FORMAT = 1


def base_manifest(session_name: str, started_utc_us: int) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "session": session_name,
        "camera_daemon": __version__,
        "ffmpeg": ffmpeg_version(),
        "python": platform.python_version(),
        "host": platform.node(),
        "started_utc_us": started_utc_us,
        "stopped_utc_us": None,
        "exit_state": "recording",
        "cameras": {},
    }


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    write_text_atomic(path, json.dumps(redact_all(manifest), indent=2, sort_keys=False) + "\n")


def read_manifest(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
