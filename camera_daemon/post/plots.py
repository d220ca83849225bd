"""The report's PNG figures, drawn with matplotlib.

matplotlib is imported inside each function, never at module level: the recorder imports the post
package (to run it after stop), and a recording process must not pay matplotlib's import time or
memory. Figures are built on ``matplotlib.figure.Figure`` with the Agg canvas, not pyplot, so no
display, no global figure registry, and several sessions can draw at once in one process.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from camera_daemon.post.plot_data import DropEvents, FloatArray, HealthSeries, IntervalSeries, gap_labels
from camera_daemon.safe_write import write_atomic

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_SIZE_IN = (9.0, 4.0)
_DPI = 100
_MANY_POINTS = 5_000  # above this a series is drawn as a line only: markers would hide each other


def _new_figure(height_in: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(_SIZE_IN[0], height_in), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _figure(title: str, x_label: str, y_label: str, height_in: float = _SIZE_IN[1]) -> tuple[Figure, Axes]:
    figure = _new_figure(height_in)
    axes = figure.add_subplot()
    axes.set_title(title)
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.grid(True, alpha=0.3)
    return figure, axes


def _colour(index: int) -> str:
    return f"C{index % 10}"


def _save(figure: Figure, path: Path) -> None:
    """Rendered to a fresh file and renamed into place, like every file in a session folder."""

    def render(handle: BinaryIO) -> None:
        figure.savefig(handle, format="png")

    write_atomic(path, render)


def _style(count: int) -> dict[str, Any]:
    return {"linewidth": 0.8} if count > _MANY_POINTS else {"linewidth": 0.6, "marker": ".", "markersize": 3}


def frame_intervals(path: Path, session: str, series: dict[str, IntervalSeries]) -> None:
    """Each camera's interval before every frame over time; its nominal interval dashed in the same colour."""
    figure, axes = _figure(
        f"Frame intervals - session {session}", "session time (s)", "interval since previous frame (ms)"
    )
    for index, (name, data) in enumerate(series.items()):
        axes.plot(data.time_s, data.interval_ms, color=_colour(index), label=name, **_style(data.time_s.size))
        if data.nominal_ms is not None:
            axes.axhline(data.nominal_ms, color=_colour(index), linestyle="--", linewidth=1.0)
    if any(data.nominal_ms is not None for data in series.values()):
        axes.plot([], [], color="grey", linestyle="--", label="nominal interval")
    axes.set_ylim(bottom=0)
    axes.legend(loc="upper right", fontsize="small")
    _save(figure, path)


def offsets(path: Path, session: str, reference: str, tick_s: FloatArray, offsets_ms: dict[str, FloatArray]) -> None:
    """Matched frame time minus reference tick per camera; gaps where a tick had no frame within tolerance."""
    figure, axes = _figure(
        f"Offset to the reference ({reference}) - session {session}", "session time (s)", "frame time - tick (ms)"
    )
    for index, (name, values) in enumerate(offsets_ms.items()):
        axes.plot(tick_s, values, color=_colour(index), label=name, **_style(tick_s.size))
    axes.axhline(0.0, color="black", linewidth=0.6)
    axes.legend(loc="upper right", fontsize="small")
    _save(figure, path)


def _lane_label(name: str, events: DropEvents) -> str:
    lost = f"{events.frame_id.size} missing" if events.source == "camera_frame_id" else f"~{events.time_s.size} missing"
    counted = []
    if events.camera_gaps is not None:
        counted.append(f"skipped by camera {events.camera_gaps}")
    if events.buffer_drops is not None:
        counted.append(f"ring full {events.buffer_drops}")
    return f"{name}\n{lost}" + (f"\n({', '.join(counted)})" if counted else "")


def drops(path: Path, session: str, span_s: tuple[float, float], events: dict[str, DropEvents]) -> None:
    """One lane per camera: a cross per frame never saved (its id written beside it while few enough to
    read), small grey ticks where the reference had no frame of that camera. The recorder logs no time
    for a frame lost to a full ring, so buffer drops are among the crosses and counted in the lane label."""
    names = list(events)
    figure, axes = _figure(
        f"Dropped frames and unmatched ticks - session {session}",
        "session time (s)",
        "",
        height_in=max(3.2, 1.4 + 0.9 * len(names)),
    )
    for lane, name in enumerate(names):
        data = events[name]
        y = np.full(data.missing_ticks_s.size, float(lane) + 0.25)  # below the crosses, clear of their labels
        axes.plot(data.missing_ticks_s, y, linestyle="none", marker="|", color="0.6", markersize=6)
        axes.plot(
            data.time_s, np.full(data.time_s.size, float(lane)), linestyle="none", marker="x", color=_colour(lane)
        )
        for label, time_s in gap_labels(data):
            axes.annotate(
                label, (time_s, lane), textcoords="offset points", xytext=(0, 7), ha="center", fontsize="x-small"
            )
    axes.plot([], [], linestyle="none", marker="x", color="black", label="frame never saved (id)")
    axes.plot([], [], linestyle="none", marker="|", color="0.6", label="reference tick without a frame")
    axes.set_yticks(range(len(names)), [_lane_label(name, events[name]) for name in names], fontsize="small")
    axes.set_ylim(len(names) - 0.4, -0.6)  # first camera on top, as in the manifest
    axes.set_xlim(span_s[0], span_s[1] if span_s[1] > span_s[0] else span_s[0] + 1.0)
    axes.legend(loc="upper right", fontsize="small")
    _save(figure, path)


def health(path: Path, session: str, series: dict[str, HealthSeries]) -> None:
    """Ring depth as a share of the ring (top) and write lateness (bottom), on one time axis."""
    figure = _new_figure(6.0)
    depth_axes, late_axes = figure.subplots(2, 1, sharex=True)
    figure.suptitle(f"Ring depth and lateness - session {session}")
    for index, (name, data) in enumerate(series.items()):
        share = 100.0 * data.ring_depth / data.ring_capacity if data.ring_capacity > 0 else data.ring_depth
        depth_axes.plot(data.time_s, share, color=_colour(index), label=name, linewidth=0.8)
        late_axes.plot(data.time_s, data.lateness_ms, color=_colour(index), label=name, linewidth=0.8)
    depth_axes.set_ylabel("ring depth (% of capacity)")
    late_axes.set_ylabel("lateness (ms)")
    late_axes.set_xlabel("session time (s)")
    for axes in (depth_axes, late_axes):
        axes.grid(True, alpha=0.3)
        axes.legend(loc="upper right", fontsize="small")
    _save(figure, path)
