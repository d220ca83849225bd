"""``camd recover``: make a session final after the recorder itself died (power cut, SIGKILL).

Workers outlive a dead supervisor long enough to close their encoders, and the DataLogger entries
and the timestamp journals are on disk, so everything needed is in the folder: the videos get their
logged times, the tables are written, and the manifest says ``recovered``. Frames without a
timestamp are cut, never guessed.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

from camera_daemon.config import load_config
from camera_daemon.encoding.command import video_suffix
from camera_daemon.errors import CamdError, ConfigError
from camera_daemon.session.finalize import (
    FINAL_RESERVE_NAME,
    RESERVE_NAME,
    WorkerOutcome,
    add_drop_total,
    finalize_camera,
)
from camera_daemon.session.folder import SessionFolder, open_session
from camera_daemon.session.lock import SessionLock
from camera_daemon.session.manifest import base_manifest, read_manifest, write_manifest
from camera_daemon.timing.archive import assemble_and_wait
from camera_daemon.timing.clock import HostClock
from camera_daemon.timing.leftovers import RECORD_NAME, LoggerLeftovers
from camera_daemon.timing.table import read_timestamp_logs

_DROP_KEYS = ("frames_acquired", "drops_buffer", "drops_frame_id_gap", "drops_missed_trigger", "drops_incomplete")
_FINAL_STATES = ("stopped", "failed", "recovered")


def _worker_result(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data


def recover_session(path: Path, *, force: bool = False) -> dict[str, Any]:
    """Raises ``SessionBusyError`` (exit 3, like ``run --force``) while a recorder or one of its
    workers still holds the session: cutting a video that is still being written would lose it."""
    folder = open_session(path)
    with SessionLock.acquire(folder.root):
        # The reserve was room held for the recorder's last writes; recovering needs that room now.
        for name in (RESERVE_NAME, FINAL_RESERVE_NAME):
            (folder.logs / name).unlink(missing_ok=True)
        for draft in folder.logs.glob(".*.timestamps.*.csv.draft"):  # tables a killed recorder left half-drafted
            draft.unlink(missing_ok=True)
        try:
            return _recover_locked(folder, force)
        except OSError as error:
            if error.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            where = error.filename or folder.root
            raise CamdError(
                f"disk full: {where} could not be written while recovering ({error.strerror}); "
                f"free space on {folder.root.parent} and run camd recover again"
            ) from None


def _recover_locked(folder: SessionFolder, force: bool) -> dict[str, Any]:
    config = load_config(folder.config)
    manifest = read_manifest(folder.manifest) if folder.manifest.exists() else None
    if manifest is not None and manifest.get("exit_state") in _FINAL_STATES and not force:
        raise ConfigError(
            f"{folder.root} is already final ({manifest['exit_state']}); pass --force to rebuild it from the raw log"
        )
    started = (manifest or {}).get("started_utc_us") or HostClock().onset_utc_us
    recovered = base_manifest(folder.name, started)
    leftovers = LoggerLeftovers.read(folder.logs / RECORD_NAME)
    if leftovers is not None:
        leftovers.clean()  # the killed recorder's logger processes and /dev/shm objects, if still there
    logs = read_timestamp_logs(folder.logs)
    cameras: dict[str, Any] = {}
    for source_id, camera in enumerate(config.cameras, start=1):
        result = _worker_result(folder.logs / f"{camera.name}.worker.json")
        reason = (result or {}).get("error")
        # result=None makes finalize verify every packet by decoding: the encoder may have died too
        outcome = WorkerOutcome(result=None, exit_code=None, failed=bool(reason), reason=reason)
        geometry = {
            "width": (result or {}).get("width", camera.width),
            "height": (result or {}).get("height", camera.height),
            "pixel_format": (result or {}).get("pixel_format", camera.pixel_format),
            "nominal_fps": (result or {}).get("nominal_fps", camera.fps),
        }
        video = folder.video(camera.name, video_suffix(config.encoder))
        entry = finalize_camera(folder, camera, video, logs.get(source_id), outcome, geometry)
        for key in _DROP_KEYS:
            entry[key] = (result or {}).get(key)
        add_drop_total(entry, paused_frames=int((result or {}).get("paused_frames") or 0))
        cameras[camera.name] = entry
    recovered.update(
        {
            "cameras": cameras,
            "stopped_utc_us": max((entry.get("last_utc_us") or 0 for entry in cameras.values()), default=None),
            "exit_state": "recovered",
            "failed_cameras": [name for name, entry in cameras.items() if entry["exit_state"] == "failed"],
        }
    )
    write_manifest(folder.manifest, recovered)
    assemble_and_wait(folder.logs)  # the logger's loose entries into the archives ataraxis tools read
    return recovered
