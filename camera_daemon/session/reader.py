"""``Session(path)``: a finished (or crashed) session as Python objects, for analysis scripts.

Scripts should not have to know the folder layout or re-parse CSV to get at the frame times; this
reads the same files camd writes and the same raw log ``camd timestamps`` falls back to, so a
session that never stopped cleanly still gives its tables.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from camera_daemon.errors import ConfigError
from camera_daemon.session.folder import open_session
from camera_daemon.session.manifest import read_manifest
from camera_daemon.timing.table import TABLE_COLUMNS, read_csv, read_timestamp_logs, table_columns

TIMESTAMP_DTYPE = np.dtype([(name, "<i8") for name in TABLE_COLUMNS])


class Session:
    """One session folder. ``cameras`` in recording order; ``timestamps(camera)`` is a numpy record
    array with the columns of ``<camera>.timestamps.csv`` (row i is frame i of ``video(camera)``)."""

    def __init__(self, path: str | Path) -> None:
        self.path = open_session(Path(path)).root

    def __repr__(self) -> str:
        return f"Session({str(self.path)!r})"

    @cached_property
    def manifest(self) -> dict[str, Any]:
        manifest_path = self.path / "manifest.json"
        return read_manifest(manifest_path) if manifest_path.exists() else {"cameras": {}}

    @property
    def exit_state(self) -> str | None:
        state = self.manifest.get("exit_state")
        return None if state is None else str(state)

    @cached_property
    def cameras(self) -> list[str]:
        names = list(self.manifest.get("cameras", {}))
        if names:
            return names
        from camera_daemon.config import load_config  # a session killed before its first manifest rewrite

        return [camera.name for camera in load_config(self.path / "session.toml").cameras]

    def _check(self, camera: str) -> None:
        if camera not in self.cameras:
            raise ConfigError(f"camera '{camera}' is not in {self.path}; cameras: {', '.join(self.cameras)}")

    def video(self, camera: str) -> Path:
        self._check(camera)
        entry = self.manifest.get("cameras", {}).get(camera) or {}
        if entry.get("video"):
            return self.path / str(entry["video"])
        found = sorted(self.path.glob(f"{camera}.m*"))
        if not found:
            raise ConfigError(f"{self.path}: no video for camera '{camera}'")
        return found[0]

    def timestamps(self, camera: str) -> np.ndarray:  # type: ignore[type-arg]
        self._check(camera)
        table_path = self.path / f"{camera}.timestamps.csv"
        if table_path.exists():
            columns = read_csv(table_path)
        else:
            logs = read_timestamp_logs(self.path / "logs")
            source_id = self.cameras.index(camera) + 1  # DataLogger source ids follow the camera order
            if source_id not in logs:
                raise ConfigError(f"camera '{camera}' has neither a timestamp table nor log entries in {self.path}")
            columns = table_columns(logs[source_id])
        table = np.empty(len(columns["frame_index"]), dtype=TIMESTAMP_DTYPE)
        for name in TABLE_COLUMNS:
            table[name] = columns[name]
        return table
