"""Where the curation commands may read and write: a session's own files are never replaced.

A session folder is the record of an experiment; an output that lands on (or inside the payload of)
it could overwrite a video or a table that exists nowhere else. So every output is resolved (links
and ``..`` followed) before anything is written, and one inside the session is accepted only under
the subfolder that command owns.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from camera_daemon.errors import ConfigError


def require_session(folder: Path) -> None:
    """A missing folder is bad input (exit 2), the same from every curation command."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such session folder; pass a finished session folder")


def inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def check_output(option: str, output: Path, session: Path, allowed: Path | None) -> None:
    """Refuse an output inside ``session`` unless it lies strictly under ``allowed``."""
    if not inside(output, session):
        return
    if allowed is not None and output.resolve().is_relative_to(allowed.resolve()) and not inside(allowed, output):
        return
    where = f"a new path outside it or under {allowed}/" if allowed is not None else "one outside it"
    raise ConfigError(f"{option} {output}: inside session {session}, whose files are never replaced; choose {where}")


def recorded_files(session: Path) -> set[Path]:
    """The files the manifest lists (resolved): what no command may ever overwrite."""
    files = {session / "manifest.json", session / "session.toml"}
    try:
        manifest = json.loads((session / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    cameras = manifest.get("cameras") if isinstance(manifest, dict) else None
    for name, entry in (cameras if isinstance(cameras, dict) else {}).items():
        for key, default in (("video", f"{name}.mkv"), ("timestamps", f"{name}.timestamps.csv")):
            value = entry.get(key, default) if isinstance(entry, dict) else default
            files.add(session / str(value))
    return {path.resolve() for path in files}


def positive_number(option: str, value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{option} {value}: must be a finite number above 0")
