"""Where a session's files go, and the rule that a recording is never overwritten by accident."""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from camera_daemon.config import describe_session_name_problem, session_name_problem
from camera_daemon.errors import ConfigError, SessionExistsError
from camera_daemon.session.checksums import start_in_background
from camera_daemon.session.lock import LOCK_NAME, SessionLock

_MARKERS = ("session.toml", "manifest.json")
NOTHING_RECORDED = "nothing recorded: "  # how a manifest's error begins when a start failed before any frame


def default_session_name() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


@dataclass(frozen=True)
class SessionFolder:
    root: Path
    # held while this process records into the folder; see session/lock.py
    lock: SessionLock | None = field(default=None, compare=False, repr=False)

    def release(self, checksums: bool = True) -> None:
        """Give up the lock once the manifest is final: the session may be replaced or recovered now.
        The videos' checksums, left pending by the stop, are computed from here on (checksums.py),
        unless the caller has more to write into the manifest first and starts them itself."""
        if self.lock is not None and self.lock.fileno() >= 0:
            self.lock.release()
            if checksums:
                start_in_background(self.root)

    @property
    def name(self) -> str:
        return self.root.name

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def timestamp_log(self) -> Path:
        """The DataLogger's folder, ``logs/<instance>_data_log/``; the instance name is unique per
        session because the logger's shared-memory name derives from it."""
        found = sorted(self.logs.glob("*_data_log"))
        return found[0] if found else self.logs / "timestamps_data_log"

    @property
    def post(self) -> Path:
        return self.root / "post"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"

    @property
    def config(self) -> Path:
        return self.root / "session.toml"

    def video(self, camera: str, suffix: str) -> Path:
        return self.root / f"{camera}{suffix}"

    def timestamps(self, camera: str) -> Path:
        return self.root / f"{camera}.timestamps.csv"


def is_session(path: Path) -> bool:
    return any((path / marker).exists() for marker in _MARKERS)


def create_session(output: Path, name: str, *, force: bool) -> SessionFolder:
    """Make a fresh session folder and lock it for the caller, who records into it.

    An existing folder is replaced only with ``force``, only if it is a session folder (so a typo
    in --output cannot delete unrelated files) and only if no recorder holds its lock. A name that
    leaves the output folder, or a link at the session's place, is refused: camd never writes or
    deletes through a link.
    """
    name = name or default_session_name()
    problem = session_name_problem(name)
    if problem is not None:
        raise ConfigError(describe_session_name_problem(name, problem))
    root = output.resolve() / name
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(root)  # atomic: exactly one process creates the folder, and it locks it next
    except FileExistsError:
        if not root.parent.is_dir():
            raise ConfigError(f"{output} is not a folder; check session.output / --output") from None
        lock = _reuse(root, force)
    except OSError as error:
        raise ConfigError(f"cannot create {root} ({error.strerror}); check session.output / --output") from None
    else:
        lock = SessionLock.acquire(root)
    folder = SessionFolder(root, lock)
    folder.logs.mkdir()
    return folder


def holds_nothing(root: Path) -> bool:
    """A session whose start failed before any frame keeps its folder (the manifest says why and the
    logs hold the details), but it holds no recording: running again under the same name after a
    fix must not need --force, which would also replace real recordings."""
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    error = manifest.get("error") if isinstance(manifest, dict) else None
    return isinstance(error, str) and error.startswith(NOTHING_RECORDED)


def _reuse(root: Path, force: bool) -> SessionLock:
    """The lock on an existing folder at the session's place, emptied when ``force`` allows it."""
    if root.is_symlink():
        raise ConfigError(
            f"{root} is a symbolic link; a session folder is never reached through a link, even with --force: "
            "remove the link or choose another --session / session.name"
        )
    if not root.is_dir():
        raise ConfigError(f"{root} exists and is not a folder; choose another --session / session.name")
    occupied = any(entry.name != LOCK_NAME for entry in root.iterdir())
    if occupied and not force and not holds_nothing(root):
        raise SessionExistsError(
            f"{root} already holds a recording; choose another --session name or pass --force to replace it"
        )
    if occupied and not is_session(root):
        raise ConfigError(f"{root} is not a camera-daemon session folder; refusing to delete it even with --force")
    lock = SessionLock.acquire(root)  # refuses a session that is still being recorded
    for entry in root.iterdir():
        if entry.name == LOCK_NAME:
            continue  # the lock being held; deleting it would let a second recorder lock a new file
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    return lock


def open_session(path: Path) -> SessionFolder:
    if not path.is_dir() or not is_session(path):
        raise ConfigError(f"{path} is not a session folder (no session.toml or manifest.json); pass a session path")
    return SessionFolder(path.resolve())
