"""Where a session's files go, and the rule that a recording is never overwritten by accident."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from camera_daemon.errors import ConfigError, SessionExistsError

_MARKERS = ("session.toml", "manifest.json")


def default_session_name() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


@dataclass(frozen=True)
class SessionFolder:
    root: Path

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
    """Make a fresh session folder; an existing one is replaced only with ``force``, and only if it
    is a session folder (so a typo in --output cannot delete unrelated files)."""
    root = (output / (name or default_session_name())).resolve()
    if root.exists() and any(root.iterdir()):
        if not force:
            raise SessionExistsError(
                f"{root} already holds a recording; choose another --session name or pass --force to replace it"
            )
        if not is_session(root):
            raise ConfigError(f"{root} is not a camera-daemon session folder; refusing to delete it even with --force")
        shutil.rmtree(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"cannot create {root} ({error.strerror}); check session.output / --output") from None
    folder = SessionFolder(root)
    folder.logs.mkdir()
    return folder


def open_session(path: Path) -> SessionFolder:
    if not path.is_dir() or not is_session(path):
        raise ConfigError(f"{path} is not a session folder (no session.toml or manifest.json); pass a session path")
    return SessionFolder(path.resolve())
