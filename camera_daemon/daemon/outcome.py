"""How a recording ended, camera by camera and for the session: the verdicts the manifest carries.

Kept apart from the supervisor, which only starts, watches and stops: these are pure decisions over
what the workers, the status rows and the timestamp log left behind, so they read the same after a
clean stop, a full disk or a dead logger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from camera_daemon.config import EncoderConfig
from camera_daemon.daemon.worker import WorkerSpec
from camera_daemon.encoding.command import depth_warning
from camera_daemon.session.finalize import WorkerOutcome, add_drop_total, finalize_camera, remux_warning
from camera_daemon.session.folder import SessionFolder
from camera_daemon.timing.clock import HostClock
from camera_daemon.timing.table import CameraLog
from camera_daemon.timing.table_draft import TableDraft

_ROW_COUNTS = ("frames_acquired", "drops_buffer", "drops_frame_id_gap", "drops_missed_trigger", "drops_incomplete")


def camera_entry(
    folder: SessionFolder,
    spec: WorkerSpec,
    row: dict[str, float],
    outcome: WorkerOutcome,
    log: CameraLog | Callable[[], CameraLog | None] | None,
    draft: TableDraft | None = None,
) -> dict[str, Any]:
    """One camera's manifest entry, its files made final; a ``warning`` names a video that kept its
    nominal times because the disk had no room for the remux."""
    camera = spec.camera
    result = outcome.result or {}
    geometry = {
        "width": result.get("width", camera.width),
        "height": result.get("height", camera.height),
        "pixel_format": result.get("pixel_format", camera.pixel_format),
        "nominal_fps": result.get("nominal_fps", camera.fps),
        "ring_capacity": int(row["ring_capacity"]),
    }
    if "camera_pixel_format" in result:  # the format the device really sent (GenICam)
        geometry["camera_pixel_format"] = result["camera_pixel_format"]
    if "cpu_percent" in result:  # worker and ffmpeg together, over the worker's life
        geometry["cpu_percent"] = result["cpu_percent"]
    try:
        entry = finalize_camera(folder, camera, spec.video_path, log, outcome, geometry, checksum=False, draft=draft)
    except OSError as error:  # even the reserve's room ran out: say so, finish the others
        reason = f"disk full: {camera.name}'s files could not be made final ({error.strerror})"
        entry = {"exit_state": "failed", "error": reason, "video": spec.video_path.name}
    if outcome.result is None:  # no result file (a full disk refused it): the status row knows
        for key in _ROW_COUNTS:
            entry[key] = int(row[key])
    add_drop_total(entry, paused_frames=int(row["paused_frames"]))
    entry["paused_frames"] = int(row["paused_frames"])  # grabbed while paused: ids QC must not call lost
    for key in ("ring_high_water", "lateness_max_us", "schedule_lag_max_us"):
        entry[key] = int(row[key])  # how far behind the recording ran, which zero drops can hide
    if result.get("setting_warnings"):
        entry["setting_warnings"] = list(result["setting_warnings"])
    warning = remux_warning(entry, spec.video_path)
    if warning is not None:
        entry["warning"] = warning
    return entry


def judge_logger(
    manifest: dict[str, Any], cameras: dict[str, Any], health: dict[str, Any], stop_reason: str | None
) -> None:
    """A dead logger fails a camera only if a timestamp of a saved frame is missing; when the
    journal kept every one, the session stays good and the death is a warning."""
    manifest["logger"] = {"alive": health["logger_alive"], "error": health["logger_error"]}
    if health.get("journal_error"):
        manifest["logger"]["journal_error"] = health["journal_error"]
        if health["logger_alive"]:
            manifest.setdefault("warnings", []).append(
                f"timestamp journal incomplete: {health['journal_error']}; the DataLogger kept every batch"
            )
    if health["logger_alive"]:
        return
    lost = False
    for entry in cameras.values():
        missing = int(entry.get("frames_written") or 0) - int(entry.get("timestamps_logged") or 0)
        if missing > 0 and entry["exit_state"] != "failed":
            entry.update(exit_state="failed", error=f"{health['logger_error']}; {missing} timestamps lost")
            lost = True
    if not lost and stop_reason is None:  # on a full disk the session's one error line says enough
        kept = "logs/*.timestamps.journal kept every batch"
        if health.get("journal_error"):
            kept = "the journal and the log together kept every batch"
        manifest.setdefault("warnings", []).append(f"{health['logger_error']}; no timestamp lost ({kept})")


def session_error(stop_reason: str, nominal: list[str]) -> str:
    """A session that ended early (a full disk) says so in its one line, and that line also names the
    videos that kept nominal times and what to do about them; each camera's entry has the details."""
    if not nominal:
        return stop_reason
    names = ", ".join(warning.split(" keeps ")[0] for warning in nominal)
    verb = "keeps" if len(nominal) == 1 else "keep"
    return f"{stop_reason}; {names} {verb} nominal frame times until space is freed and camd recover --force runs"


@dataclass(frozen=True)
class SessionEnding:
    """What the session-level verdict depends on besides the cameras' own entries."""

    health: dict[str, Any]  # the logger's, as Supervisor.health() reports it
    stop_reason: str | None  # why the whole session stopped early; None for a normal stop
    exit_state: str  # what the caller asked for: stopped, failed (a start that failed), ...
    failed_analysis: list[str]


def close_manifest(
    manifest: dict[str, Any], cameras: dict[str, Any], encoder: EncoderConfig, ending: SessionEnding
) -> None:
    """The session's verdict from its cameras' entries: warnings gathered once, a dead logger judged,
    and the one error line of a session that ended early."""
    nominal: list[str] = []  # videos left with nominal frame times: no room for the remux
    for name, entry in cameras.items():
        if entry.get("setting_warnings"):
            manifest.setdefault("warnings", []).extend(entry["setting_warnings"])
        if depth := depth_warning(encoder, name, str(entry.get("pixel_format"))):
            manifest.setdefault("warnings", []).append(depth)
        if entry.get("warning"):
            nominal.append(entry["warning"])
    judge_logger(manifest, cameras, ending.health, ending.stop_reason)
    failed = [name for name, entry in cameras.items() if entry["exit_state"] == "failed"]
    manifest["cameras"] = cameras
    manifest["stopped_utc_us"] = HostClock().onset_utc_us
    ended_badly = bool(failed) or ending.stop_reason is not None
    manifest["exit_state"] = "failed" if ended_badly and ending.exit_state == "stopped" else ending.exit_state
    manifest["failed_cameras"] = failed
    manifest["failed_analysis"] = ending.failed_analysis
    if ending.stop_reason is not None:
        manifest["error"] = session_error(ending.stop_reason, nominal)
    elif nominal:
        manifest.setdefault("warnings", []).extend(nominal)
