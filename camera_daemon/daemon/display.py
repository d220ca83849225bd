"""Rich tables for people: live camera status and the end-of-session summary.

Shared by `camd run`, `camd status` and `camd stop`, so the daemon's commands do not reach back
into the CLI module for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from camera_daemon.daemon.status_text import COLUMNS, disk_line, status_cells

if TYPE_CHECKING:
    from camera_daemon.daemon.status import CameraStatus

__all__ = ["disk_line", "status_table", "summary_table"]


def status_table(statuses: list[CameraStatus], title: str = "", caption: str | None = None) -> Table:
    """Cells and titles are Text, never markup: a session path or state in brackets is shown as is.
    The same columns and cells are drawn without rich by status_text.py for ``camd status``."""
    table = Table(
        title=Text(title, style="table.title") if title else None,
        caption=Text(caption, style="table.caption") if caption else None,
    )
    for header, left in COLUMNS:
        table.add_column(header, justify="left" if left else "right")
    for s in statuses:
        table.add_row(*(Text(cell) for cell in status_cells(s.as_dict())))
    return table


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
        from camera_daemon.qc.summary import summary_line

        table.caption = summary_line(manifest["qc"])
    return table


_CAMERA_KEYS = (
    "video",
    "frames_in_video",
    "timestamps_logged",
    "mean_fps",
    "drops_total",
    "exit_state",
    "error",
)


def session_report(session: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """What `run`, `stop`, `recover` and `demo --json` print: the summary table's content, in the
    manifest's own key names, so a script needs the manifest only for what the table leaves out."""
    return {
        "session": str(session),
        "manifest": str(session / "manifest.json"),
        "exit_state": manifest.get("exit_state"),
        "error": manifest.get("error"),
        "failed_cameras": list(manifest.get("failed_cameras") or []),
        "warnings": list(manifest.get("warnings") or []),
        "cameras": {
            name: {key: entry.get(key) for key in _CAMERA_KEYS} for name, entry in manifest.get("cameras", {}).items()
        },
        "post": manifest.get("post"),
        "qc": manifest.get("qc"),
    }


def analysis_lines(statuses: list[CameraStatus]) -> list[str]:
    """One line per analysed camera under the table: a failed callback must be visible at a glance."""
    lines = []
    for s in statuses:
        if s.analysis == "off":
            continue
        if s.analysis == "failed":
            lines.append(f"analysis {s.name}: failed (traceback in logs/{s.name}.analysis.log); recording goes on")
            continue
        latency = "-" if s.analysis_latency_ms is None else f"{s.analysis_latency_ms:.1f} ms"
        last = ", ".join(f"{key}={value}" for key, value in (s.analysis_last or {}).items() if key != "frame_index")
        lines.append(
            f"analysis {s.name}: {s.analysis}, {s.analysis_frames} analysed, {s.analysis_skipped} skipped,"
            f" latency {latency}" + (f", last {last}" if last else "")
        )
    return lines
