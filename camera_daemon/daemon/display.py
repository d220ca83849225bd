"""Rich tables for people: live camera status and the end-of-session summary.

Shared by `camd run`, `camd status` and `camd stop`, so the daemon's commands do not reach back
into the CLI module for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

if TYPE_CHECKING:
    from camera_daemon.daemon.status import CameraStatus


def status_table(statuses: list[CameraStatus], title: str = "") -> Table:
    table = Table(title=title or None)
    for column in ("camera", "state", "fps now", "fps mean", "frames", "drops (buffer/ids/camera)", "buffer", "sec"):
        table.add_column(column, justify="left" if column in ("camera", "state") else "right")
    for s in statuses:
        table.add_row(
            s.name,
            s.state + (" (paused)" if s.paused else ""),
            f"{s.fps_current:.1f}",
            f"{s.fps_mean:.1f}",
            str(s.frames_written),
            f"{s.drops_buffer}/{s.drops_frame_id_gap}/{s.drops_missed_trigger + s.drops_incomplete}",
            f"{s.ring_depth}/{s.ring_capacity}",
            f"{s.seconds_recorded:.1f}",
        )
    return table


def disk_line(free_bytes: int | None, seconds_left: float | None) -> str | None:
    if free_bytes is None:
        return None
    left = "" if seconds_left is None else f", about {seconds_left / 60:.0f} min left at the current write rate"
    return f"disk: {free_bytes / (1 << 30):.2f} GiB free{left}"


def summary_table(session: Path, manifest: dict[str, Any]) -> Table:
    table = Table(title=f"{session}  [{manifest['exit_state']}]")
    for column in ("camera", "frames", "timestamps", "drops (buffer/ids/camera)", "mean fps", "video", "state"):
        table.add_column(column)
    for name, entry in manifest["cameras"].items():
        fps = entry.get("mean_fps")
        table.add_row(
            name,
            str(entry.get("frames_in_video", 0)),
            str(entry.get("timestamps_logged", 0)),
            f"{entry.get('drops_buffer') or 0}/{entry.get('drops_frame_id_gap') or 0}"
            f"/{(entry.get('drops_missed_trigger') or 0) + (entry.get('drops_incomplete') or 0)}",
            f"{fps:.2f}" if fps else "-",
            str(entry.get("video")),
            entry["exit_state"] + (f": {entry['error']}" if entry.get("error") else ""),
        )
    if manifest.get("qc"):
        from camera_daemon.qc.output import summary_line

        table.caption = summary_line(manifest["qc"])
    return table
