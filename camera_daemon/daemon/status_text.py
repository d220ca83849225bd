"""The ``camd status`` table as plain text, with the standard library alone.

``camd status`` is polled by scripts and people alike; importing rich to draw eight short rows costs
more than the whole answer. This module draws the same characters rich draws for the table in
display.py (heavy-head box, one space of padding, italic title, bold header, dim italic caption),
and says so only when it can: wrapped titles, wide characters or unusual terminal settings return
None, and the caller draws the table with rich instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

# (header, left-justified); the rest are right-justified numbers.
COLUMNS: tuple[tuple[str, bool], ...] = (
    ("camera", True),
    ("state", True),
    ("fps now", False),
    ("fps mean", False),
    ("frames", False),
    ("drops b/i/c", False),
    ("buffer", False),
    ("peak", False),
    ("late ms", False),
    ("sec", False),
)

# Environment that changes how rich decides on a terminal and its styles: leave those cases to it.
_RICH_ENVIRONMENT = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "JUPYTER_COLUMNS")
_BOLD, _ITALIC, _DIM_ITALIC, _RESET = "\x1b[1m", "\x1b[3m", "\x1b[2;3m", "\x1b[0m"


def status_cells(camera: Mapping[str, Any]) -> list[str]:
    """One table row from a camera's status dict (CameraStatus.as_dict() or the JSON reply)."""
    late_us = max(int(camera.get("lateness_max_us", 0)), int(camera.get("schedule_lag_max_us", 0)))
    camera_drops = int(camera.get("drops_missed_trigger", 0)) + int(camera.get("drops_incomplete", 0))
    return [
        str(camera["name"]),
        str(camera["state"]) + (" (paused)" if camera["paused"] else ""),
        f"{camera['fps_current']:.1f}",
        f"{camera['fps_mean']:.1f}",
        str(camera["frames_written"]),
        f"{camera['drops_buffer']}/{camera['drops_frame_id_gap']}/{camera_drops}",
        f"{camera['ring_depth']}/{camera['ring_capacity']}",
        str(camera.get("ring_high_water", 0)),
        f"{late_us / 1e3:.1f}",
        f"{camera['seconds_recorded']:.1f}",
    ]


def disk_line(free_bytes: int | None, seconds_left: float | None) -> str | None:
    if free_bytes is None:
        return None
    left = "" if seconds_left is None else f", about {seconds_left / 60:.0f} min left at the current write rate"
    return f"disk: {free_bytes / (1 << 30):.2f} GiB free{left}"


def column_widths(rows: Sequence[Sequence[str]]) -> list[int]:
    return [max([len(header), *(len(row[index]) for row in rows)]) for index, (header, _) in enumerate(COLUMNS)]


def table_width(rows: Sequence[Sequence[str]]) -> int:
    """The table's natural width: it is drawn this wide whatever the terminal's, never wrapped."""
    return sum(column_widths(rows)) + 3 * len(COLUMNS) + 1


def _plain(text: str) -> bool:
    return text.isascii() and text.isprintable()


def _centered(text: str, width: int, style: str | None) -> str:
    left = (width - len(text)) // 2
    line = " " * left + text + " " * (width - len(text) - left)
    return f"{style}{line}{_RESET}" if style else line


def render_table(title: str, rows: Sequence[Sequence[str]], caption: str | None, styled: bool) -> str | None:
    """The table as rich prints it, or None where this drawing would not match rich's."""
    if not all(_plain(cell) for row in rows for cell in row) or not _plain(title) or not _plain(caption or ""):
        return None
    widths = column_widths(rows)
    width = table_width(rows)
    if len(title) > width or len(caption or "") > width:
        return None  # rich wraps a long title over several lines
    lines = [_centered(title, width, _ITALIC if styled else None)] if title else []
    lines.append("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓")
    headers = []
    for (header, left), w in zip(COLUMNS, widths, strict=True):
        text = header.ljust(w) if left else header.rjust(w)
        headers.append(f"{_BOLD} {_RESET}{_BOLD}{text}{_RESET}{_BOLD} {_RESET}" if styled else f" {text} ")
    lines.append("┃" + "┃".join(headers) + "┃")
    lines.append("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩")
    for row in rows:
        cells = zip(row, COLUMNS, widths, strict=True)
        lines.append("│" + "│".join(f" {c.ljust(w) if left else c.rjust(w)} " for c, (_, left), w in cells) + "│")
    lines.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    if caption:
        lines.append(_centered(caption, width, _DIM_ITALIC if styled else None))
    return "\n".join(lines) + "\n"


def status_title(reply: Mapping[str, Any]) -> str:
    return f"{reply['session']}  [{reply['state']}]"


def logger_line(reply: Mapping[str, Any]) -> str | None:
    if reply.get("logger_alive") is False:
        return f"{reply.get('logger_error')}; timestamps go on into logs/*.timestamps.journal"
    return None


def render_status(reply: Mapping[str, Any], stream_is_tty: bool) -> str | None:
    """Everything ``camd status`` prints for a reply, or None to let rich draw it."""
    if any(os.environ.get(name) is not None for name in _RICH_ENVIRONMENT):
        return None
    if any(camera.get("analysis", "off") != "off" for camera in reply["cameras"]):
        return None  # the analysis lines under the table are drawn by the full path only
    styled = stream_is_tty and os.environ.get("TERM", "").lower() not in ("dumb", "unknown")
    rows = [status_cells(camera) for camera in reply["cameras"]]
    caption = disk_line(reply.get("disk_free_bytes"), reply.get("disk_seconds_left"))
    table = render_table(status_title(reply), rows, caption, styled)
    line = logger_line(reply)
    if table is None or (line is not None and not _plain(line)):
        return None
    return table + (f"{line}\n" if line is not None else "")
