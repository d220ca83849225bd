"""Makes one camera's files final after its worker ended, cleanly or not.

The invariant every finished session keeps: the video holds exactly as many frames as the
timestamp table has rows, frame i of one is row i of the other. A worker streams each frame to
ffmpeg with its logged time, so after a clean stop the video is final as ffmpeg left it: only the
table is written. The remux is the fallback for a crash (frames to cut) and for sessions recorded
before the times travelled with the frames. After a crash the two can differ
(the encoder lost its last cluster, or the last log batch never came); the overlap is kept, the
difference is counted in the manifest, and nothing is invented.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from camera_daemon.config import CameraConfig
from camera_daemon.encoding.remux import apply_timestamps, count_decodable, count_packets
from camera_daemon.safe_write import open_new_exclusive
from camera_daemon.session.checksums import PENDING
from camera_daemon.session.folder import SessionFolder
from camera_daemon.session.manifest import sha256_of
from camera_daemon.timing.table import CameraLog, table_columns, write_csv
from camera_daemon.timing.table_draft import TableDraft

# The files that hold the disk reserve while a session records (daemon/disk.py): the first is given
# back by the first camera to find the disk full, the second only by the step that writes the tables
# and manifest. A final session needs neither, whoever made it final.
RESERVE_NAME = "disk.reserve"
FINAL_RESERVE_NAME = "disk.final.reserve"
# Room a remux needs beyond a second copy of the video.
_REMUX_SLACK_BYTES = 4 << 20


@dataclass(frozen=True)
class WorkerOutcome:
    """What the supervisor learned about a worker: its result file (if it wrote one) and exit."""

    result: dict[str, Any] | None
    exit_code: int | None
    failed: bool
    reason: str | None


def finalize_camera(
    folder: SessionFolder,
    camera: CameraConfig,
    video: Path,
    log: CameraLog | Callable[[], CameraLog | None] | None,
    outcome: WorkerOutcome,
    geometry: dict[str, Any],
    *,
    checksum: bool = True,
    draft: TableDraft | None = None,
) -> dict[str, Any]:
    """``checksum=False`` leaves ``sha256`` pending for ``session/checksums.py`` to fill in after
    the stop replied: hashing reads the whole video, which grows with the session.

    ``draft`` is the table the forwarder wrote while recording; a clean stop renames it into place
    and never reads the log (``log`` may be a loader, called only when the log is needed).
    """

    def digest() -> str:
        return sha256_of(video) if checksum else PENDING

    if draft is not None:
        drafted = _from_draft(folder, camera, video, outcome, geometry, draft)
        if drafted is not None:
            drafted["sha256"] = digest()
            return drafted
        draft.discard()
    if callable(log):
        log = log()
    logged = 0 if log is None else int(log.records.size)
    entry: dict[str, Any] = {
        "backend": camera.backend.value,
        "source": camera.source,
        **geometry,
        "video": video.name,
        "timestamps": folder.timestamps(camera.name).name,
        "onset_utc_us": None if log is None else log.onset_utc_us,
        "timestamps_logged": logged,
        "frames_written": (outcome.result or {}).get("frames_written", logged),
        "frames_acquired": (outcome.result or {}).get("frames_acquired"),
        "drops_buffer": (outcome.result or {}).get("drops_buffer"),
        "drops_frame_id_gap": (outcome.result or {}).get("drops_frame_id_gap"),
        "drops_missed_trigger": (outcome.result or {}).get("drops_missed_trigger", 0),
        "drops_incomplete": (outcome.result or {}).get("drops_incomplete", 0),
        "exit_state": "failed" if outcome.failed else "stopped",
        "error": outcome.reason,
    }
    if not video.exists() or log is None or logged == 0:
        entry.update({"frames_in_video": 0, "sha256": None, "frames_without_timestamp": 0})
        if video.exists():
            entry["frames_without_timestamp"] = count_packets(video)
            entry["sha256"] = digest()
        _report_cut(entry)
        return entry

    crashed = outcome.result is None
    times_recorded = (outcome.result or {}).get("frame_times") == "recorded"
    if times_recorded and not outcome.failed and int(entry["frames_written"]) == logged:
        # The usual stop: every frame reached ffmpeg with its logged time and every time was logged,
        # so the file is already final. Nothing is read back, so this costs the same after an hour.
        in_video = recorded = logged
        remuxed: int | None = None
        entry["frame_times"] = "recorded"
    else:
        # Counted before the remux, which keeps only the frames that have a time.
        packets = count_packets(video) if crashed else 0
        remuxed = _remux(video, log, verify=crashed)
        if remuxed is None:
            # No room for a second copy: the tables and manifest are what must exist, so the video stays
            # as recorded; `camd recover --force` cuts it to its table once there is room.
            decodable = count_decodable(video)
            in_video = min(decodable, logged)
            recorded = decodable
        else:
            in_video = remuxed
            recorded = packets if crashed else in_video + max(0, int(entry["frames_written"]) - logged)
        entry["frame_times"] = "remuxed" if remuxed is not None else "recorded" if times_recorded else "nominal"
    entry["remuxed"] = remuxed is not None
    columns = table_columns(log, frames=in_video)
    write_csv(columns, folder.timestamps(camera.name))
    host = columns["host_time_us"]
    span_s = float(host[-1] - host[0]) / 1e6 if host.size > 1 else 0.0
    entry.update(
        {
            "frames_in_video": in_video,
            "frames_without_timestamp": max(0, recorded - in_video),
            "timestamps_without_frame": logged - in_video,
            "first_utc_us": int(columns["utc_time_us"][0]),
            "last_utc_us": int(columns["utc_time_us"][-1]),
            "mean_fps": (in_video - 1) / span_s if span_s > 0 else None,
            "sha256": digest(),
        }
    )
    _report_cut(entry)
    return entry


def _from_draft(
    folder: SessionFolder,
    camera: CameraConfig,
    video: Path,
    outcome: WorkerOutcome,
    geometry: dict[str, Any],
    draft: TableDraft,
) -> dict[str, Any] | None:
    """The usual stop, in constant time: every frame reached ffmpeg with its time, every time was
    logged and drafted. None whenever anything differs, and the caller builds the table from the log."""
    result = outcome.result or {}
    written = int(result.get("frames_written", -1))
    if outcome.failed or result.get("frame_times") != "recorded" or not draft.usable or written != draft.rows:
        return None
    if not video.exists() or not draft.publish(folder.timestamps(camera.name)):
        return None
    onset = int(draft.onset_utc_us or 0)
    first, last = int(draft.first_host_us or 0), int(draft.last_host_us or 0)
    span_s = (last - first) / 1e6
    return {
        "backend": camera.backend.value,
        "source": camera.source,
        **geometry,
        "video": video.name,
        "timestamps": folder.timestamps(camera.name).name,
        "onset_utc_us": onset,
        "timestamps_logged": draft.rows,
        "frames_written": written,
        **{key: result.get(key) for key in ("frames_acquired", "drops_buffer", "drops_frame_id_gap")},
        "drops_missed_trigger": result.get("drops_missed_trigger", 0),
        "drops_incomplete": result.get("drops_incomplete", 0),
        "exit_state": "stopped",
        "error": None,
        "frame_times": "recorded",
        "remuxed": False,
        "frames_in_video": draft.rows,
        "frames_without_timestamp": 0,
        "timestamps_without_frame": 0,
        "first_utc_us": onset + first,
        "last_utc_us": onset + last,
        "mean_fps": (draft.rows - 1) / span_s if span_s > 0 else None,
    }


def _report_cut(entry: dict[str, Any]) -> None:
    """Frames cut to keep video and table equal are recording lost: only counted, they would pass
    for a complete camera, so the camera fails and its error says how much went."""
    counts = (
        (int(entry.get("frames_without_timestamp") or 0), "frames without a timestamp"),
        (int(entry.get("timestamps_without_frame") or 0), "timestamps without a frame"),
    )
    cut = " and ".join(f"{count} {what}" for count, what in counts if count > 0)
    if not cut:
        return
    cut += " were cut"
    entry["exit_state"] = "failed"
    entry["error"] = f"{entry['error']}; {cut}" if entry["error"] else cut


def add_drop_total(entry: dict[str, Any], paused_frames: int = 0) -> None:
    """Every way a frame was lost, summed, so one number says whether the recording is complete.

    ``drops_unsaved`` counts the frames that were grabbed (not while paused) and did not reach the
    final video, beyond those a full ring already refused: frames still in the ring when the encoder
    died, frames whose packet or timestamp a crash cut off. Without it a session whose encoder died
    would report no loss at all.
    """
    acquired = entry.get("frames_acquired")
    if acquired is not None:
        kept = int(entry.get("frames_in_video") or 0) + int(entry.get("drops_buffer") or 0)
        entry["drops_unsaved"] = max(0, int(acquired) - paused_frames - kept)
    keys = ("drops_buffer", "drops_frame_id_gap", "drops_missed_trigger", "drops_incomplete", "drops_unsaved")
    entry["drops_total"] = sum(int(entry.get(key) or 0) for key in keys)


def remux_warning(entry: dict[str, Any], video: Path) -> str | None:
    """Why a video kept its nominal frame times, with the room to free, or None when it got the logged ones."""
    if entry.get("frame_times", "nominal" if entry.get("remuxed") is False else None) != "nominal":
        return None
    try:
        stats = os.statvfs(video.parent)
        needed = video.stat().st_size + _REMUX_SLACK_BYTES - stats.f_bavail * stats.f_frsize
    except OSError:
        needed = _REMUX_SLACK_BYTES
    return (
        f"{video.name} keeps nominal frame times: no room to write the logged times; "
        f"free {max(1, -(-needed // (1 << 20)))} MiB and run camd recover --force"
    )


def _remux(video: Path, log: CameraLog, *, verify: bool) -> int | None:
    """Writes the logged times into ``video`` through a copy; None when the disk has no room for one.

    The copy is a fresh file under a random name, never a link. Matroska is written through the open
    file; the mp4 muxer reopens its output by name to move the index to the front, so it gets the name.
    """
    stats = os.statvfs(video.parent)
    if stats.f_bavail * stats.f_frsize < video.stat().st_size + _REMUX_SLACK_BYTES:
        return None
    try:
        handle, tmp = open_new_exclusive(video.parent, f".{video.stem}.final.", video.suffix)
    except OSError:
        return None
    try:
        with handle:
            target = handle if video.suffix.lower() == ".mkv" else tmp
            in_video = apply_timestamps(video, target, log.records["host_time_us"].astype(np.int64), verify=verify)
        os.replace(tmp, video)
    except OSError:
        tmp.unlink(missing_ok=True)
        return None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return in_video
