"""``camd timestamps``: the per-camera tables in the format a user's analysis loads.

A session whose stop never ran (a crash, a power cut) has no tables yet; they are rebuilt from the
raw DataLogger entries, which is exactly what the log is for.
"""

from __future__ import annotations

from pathlib import Path

from camera_daemon.errors import ConfigError
from camera_daemon.session.folder import SessionFolder, open_session
from camera_daemon.session.lock import held_for_reading
from camera_daemon.session.manifest import read_manifest
from camera_daemon.timing.axvs_table import write_axvs_timestamps
from camera_daemon.timing.table import read_csv, read_timestamp_logs, table_columns, write_table


def export_timestamps(session_path: Path, fmt: str, only: str | None = None) -> list[Path]:
    return [path for _, path, _ in export_tables(session_path, fmt, only)]


def export_tables(session_path: Path, fmt: str, only: str | None = None) -> list[tuple[str, Path, int]]:
    """(camera, file written, rows) per camera. Refuses a session that is still being recorded: its
    tables are not written yet, and a table rebuilt from a log that is still growing would be incomplete."""
    folder = open_session(session_path)
    with held_for_reading(folder.root):
        return _export(folder, fmt, only)


def _export(folder: SessionFolder, fmt: str, only: str | None) -> list[tuple[str, Path, int]]:
    manifest = read_manifest(folder.manifest) if folder.manifest.exists() else {"cameras": {}}
    names = list(manifest.get("cameras", {}))
    if not names:
        from camera_daemon.config import load_config

        names = [camera.name for camera in load_config(folder.config).cameras]
    # a camera's DataLogger source id is its place in the session, whichever cameras are exported
    sources = {name: source_id for source_id, name in enumerate(names, start=1)}
    if only is not None:
        if only not in names:
            raise ConfigError(f"--camera '{only}' is not in this session; cameras: {', '.join(names)}")
        names = [only]
    logs = None
    written = []
    for name in names:
        source_id = sources[name]
        csv_path = folder.timestamps(name)
        if csv_path.exists():
            columns = read_csv(csv_path)
        else:
            logs = logs if logs is not None else read_timestamp_logs(folder.logs)
            if source_id not in logs:
                raise ConfigError(f"camera '{name}' has neither a timestamp table nor log entries in {folder.root}")
            columns = table_columns(logs[source_id])
        rows = len(columns["frame_index"])
        if fmt == "axvs":
            written.append((name, write_axvs_timestamps(columns, folder.root, source_id), rows))
        elif fmt == "csv" and csv_path.exists():
            written.append((name, csv_path, rows))
        else:
            written.append((name, write_table(columns, folder.root / f"{name}.timestamps", fmt), rows))
    return written
