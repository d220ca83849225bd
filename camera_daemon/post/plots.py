"""PNG plots drawn with OpenCV, so the report needs no plotting library in a recording install.

Three plots: frame-interval histogram per camera, offset to the reference over time, and drops and
missing ticks on a timeline. Each is a plain function from arrays to a PNG file.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
_PALETTE = [(200, 90, 30), (40, 140, 240), (60, 170, 60), (40, 40, 210), (170, 80, 170), (120, 120, 0)]
_MARGIN_LEFT, _MARGIN_RIGHT, _MARGIN_TOP, _MARGIN_BOTTOM = 70, 20, 40, 45
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def colour(index: int) -> tuple[int, int, int]:
    return _PALETTE[index % len(_PALETTE)]


class Axes:
    """A white canvas with a plotting box mapping data coordinates to pixels."""

    def __init__(
        self,
        title: str,
        x_label: str,
        y_label: str,
        x_range: tuple[float, float],
        y_range: tuple[float, float],
        lanes: list[str] | None = None,
        size: tuple[int, int] = (800, 360),
    ) -> None:
        self.lanes = lanes
        self.width, self.height = size
        self.image = np.full((self.height, self.width, 3), 255, dtype=np.uint8)
        self.x0, self.x1 = _widen(x_range)
        self.y0, self.y1 = _widen(y_range)
        self.box = (_MARGIN_LEFT, _MARGIN_TOP, self.width - _MARGIN_RIGHT, self.height - _MARGIN_BOTTOM)
        cv2.putText(self.image, title, (_MARGIN_LEFT, 24), _FONT, 0.6, (0, 0, 0), 1, cv2.LINE_AA)
        cv2.putText(
            self.image, x_label, (self.width // 2 - 60, self.height - 8), _FONT, 0.45, (0, 0, 0), 1, cv2.LINE_AA
        )
        cv2.putText(self.image, y_label, (4, _MARGIN_TOP - 8), _FONT, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
        self._axes()

    def _axes(self) -> None:
        left, top, right, bottom = self.box
        cv2.rectangle(self.image, (left, top), (right, bottom), (0, 0, 0), 1)
        for fraction in np.linspace(0, 1, 5):
            x = int(left + fraction * (right - left))
            y = int(bottom - fraction * (bottom - top))
            x_value = self.x0 + fraction * (self.x1 - self.x0)
            y_value = self.y0 + fraction * (self.y1 - self.y0)
            cv2.line(self.image, (x, bottom), (x, bottom + 4), (0, 0, 0), 1)
            cv2.putText(self.image, f"{x_value:.4g}", (x - 18, bottom + 18), _FONT, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
            if self.lanes is None:
                cv2.line(self.image, (left - 4, y), (left, y), (0, 0, 0), 1)
                cv2.putText(self.image, f"{y_value:.4g}", (4, y + 4), _FONT, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
        for index, name in enumerate(self.lanes or []):
            y = int(self.to_pixels(np.array([self.x0]), np.array([float(index)]))[0, 1])
            cv2.putText(self.image, name[:9], (4, y + 4), _FONT, 0.4, (0, 0, 0), 1, cv2.LINE_AA)

    def to_pixels(self, x: FloatArray, y: FloatArray) -> npt.NDArray[np.int32]:
        left, top, right, bottom = self.box
        px = left + (x - self.x0) / (self.x1 - self.x0) * (right - left)
        py = bottom - (y - self.y0) / (self.y1 - self.y0) * (bottom - top)
        return np.stack([px, py], axis=1).round().astype(np.int32)

    def line(self, x: FloatArray, y: FloatArray, rgb: tuple[int, int, int]) -> None:
        if x.size:
            cv2.polylines(self.image, [self.to_pixels(x, y)], False, rgb, 1, cv2.LINE_AA)

    def marks(self, x: FloatArray, y: FloatArray, rgb: tuple[int, int, int], half_height: int = 6) -> None:
        for px, py in self.to_pixels(x, y):
            cv2.line(self.image, (int(px), int(py) - half_height), (int(px), int(py) + half_height), rgb, 1)

    def bars(self, edges: FloatArray, counts: FloatArray, rgb: tuple[int, int, int], lane: tuple[float, float]) -> None:
        """Histogram bars drawn within ``lane`` (fractions of the box height) so cameras can be stacked."""
        _left, top, _right, bottom = self.box
        lane_bottom = bottom - lane[0] * (bottom - top)
        lane_height = (lane[1] - lane[0]) * (bottom - top)
        peak = max(float(counts.max()), 1.0) if counts.size else 1.0
        xs = self.to_pixels(edges, np.zeros_like(edges))[:, 0]
        for index, count in enumerate(counts):
            if count <= 0:
                continue
            height = round(count / peak * (lane_height - 4))
            x_left, x_right = int(xs[index]), max(int(xs[index + 1]) - 1, int(xs[index]))
            cv2.rectangle(self.image, (x_left, int(lane_bottom) - height), (x_right, int(lane_bottom)), rgb, -1)

    def legend(self, names: list[str]) -> None:
        for index, name in enumerate(names):
            x = self.width - _MARGIN_RIGHT - 160
            y = _MARGIN_TOP + 16 + 16 * index
            cv2.line(self.image, (x, y - 4), (x + 20, y - 4), colour(index), 3)
            cv2.putText(self.image, name, (x + 26, y), _FONT, 0.42, (0, 0, 0), 1, cv2.LINE_AA)

    def save(self, path: Path) -> None:
        if not cv2.imwrite(str(path), self.image):
            raise OSError(f"could not write {path}")


def _widen(span: tuple[float, float]) -> tuple[float, float]:
    low, high = float(span[0]), float(span[1])
    if not np.isfinite(low) or not np.isfinite(high):
        return 0.0, 1.0
    if high - low < 1e-9:
        return low - 1.0, high + 1.0
    return low, high


def interval_histogram(path: Path, intervals_ms: dict[str, FloatArray]) -> None:
    """One histogram lane per camera on a shared interval axis: jitter, drops and rate at a glance."""
    values = [v for v in intervals_ms.values() if v.size]
    high = float(max(np.percentile(v, 99.5) for v in values)) * 1.2 if values else 1.0
    names = list(intervals_ms)
    y_range = (-0.5, len(names) - 0.5)
    axes = Axes(
        "Frame intervals per camera (bar height: share of the peak)", "interval (ms)", "", (0.0, high), y_range, names
    )
    edges = np.linspace(0.0, high, 81)
    for index, name in enumerate(names):
        counts, _ = np.histogram(np.clip(intervals_ms[name], 0, high), bins=edges)
        lane = (index / len(names), (index + 1) / len(names))
        axes.bars(edges, counts.astype(np.float64), colour(index), lane)
    axes.save(path)


def offset_over_time(path: Path, time_s: FloatArray, offsets_ms: dict[str, FloatArray]) -> None:
    """Source frame time minus reference tick, per camera; NaN where the tick had no frame."""
    finite = [v[np.isfinite(v)] for v in offsets_ms.values()]
    finite = [v for v in finite if v.size]
    low = min((float(v.min()) for v in finite), default=-1.0)
    high = max((float(v.max()) for v in finite), default=1.0)
    span = (float(time_s[0]), float(time_s[-1])) if time_s.size else (0.0, 1.0)
    axes = Axes("Offset to reference over time", "time (s)", "offset (ms)", span, (low, high))
    for index, (_name, offsets) in enumerate(offsets_ms.items()):
        valid = np.isfinite(offsets)
        axes.line(time_s[valid], offsets[valid], colour(index))
    axes.legend(list(offsets_ms))
    axes.save(path)


def drops_timeline(
    path: Path, span_s: tuple[float, float], drops_s: dict[str, FloatArray], missing_s: dict[str, FloatArray]
) -> None:
    """One lane per camera: tall marks where frames were dropped, short grey marks at missing ticks."""
    names = list(drops_s)
    axes = Axes(
        "Drops (tall) and missing ticks (short) on the timeline",
        "time (s)",
        "",
        span_s,
        (-0.5, len(names) - 0.5),
        names,
    )
    for index, name in enumerate(names):
        lane = np.full(missing_s[name].size, float(index))
        axes.marks(missing_s[name], lane, (150, 150, 150), half_height=3)
        axes.marks(drops_s[name], np.full(drops_s[name].size, float(index)), colour(index), half_height=10)
    axes.save(path)
