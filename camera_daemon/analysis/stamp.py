"""Values drawn into the recorded pixels before encoding, for people who watch the video without its tables.

Stamped pixels are data: they replace what the camera saw in the bottom-left corner, for good. So it
is off unless a camera asks for it, and it sits at the bottom, away from the synthetic frame code at
the top. The rate shown is measured from the logged host times, not the nominal one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

_SMOOTHING = 0.1  # weight of the newest interval in the displayed rate


def stamper_for(items: Sequence[str], onset_utc_us: int, height: int, dtype: np.dtype) -> Stamper | None:  # type: ignore[type-arg]
    """None when the camera stamps nothing: the recording path then pays one ``is None`` per frame."""
    return Stamper(items, onset_utc_us, height, dtype) if items else None


class Stamper:
    def __init__(self, items: Sequence[str], onset_utc_us: int, height: int, dtype: np.dtype) -> None:  # type: ignore[type-arg]
        self.items = tuple(items)
        self.onset_utc_us = onset_utc_us
        self.scale = max(0.35, height / 960)
        self.thickness = 1 if height < 720 else 2
        self.margin = max(2, height // 120)
        top = int(np.iinfo(dtype).max) if dtype.kind in "ui" else 1
        self.white, self.black = top, 0
        self._last_host_us = -1
        self._interval_us = 0.0
        import cv2  # only a stamping camera loads the drawing code

        self._cv2 = cv2
        self._font = cv2.FONT_HERSHEY_SIMPLEX

    def draw(self, frame: np.ndarray, frame_index: int, host_time_us: int, ring_depth: int, ring_capacity: int) -> None:  # type: ignore[type-arg]
        """Draw in place, on the frame about to be encoded."""
        if self._last_host_us >= 0:
            interval = host_time_us - self._last_host_us
            self._interval_us = (
                interval if self._interval_us == 0 else ((1 - _SMOOTHING) * self._interval_us + _SMOOTHING * interval)
            )
        self._last_host_us = host_time_us
        text = self.text(frame_index, host_time_us, ring_depth, ring_capacity)
        (width, height), base = self._cv2.getTextSize(text, self._font, self.scale, self.thickness)
        bottom = frame.shape[0] - self.margin
        left = self.margin
        frame[max(0, bottom - height - base - 2) : bottom + 1, left : left + width + 4] = self.black
        color = (self.white,) * (frame.shape[2] if frame.ndim == 3 else 1)
        self._cv2.putText(frame, text, (left + 2, bottom - base), self._font, self.scale, color, self.thickness)

    def text(self, frame_index: int, host_time_us: int, ring_depth: int, ring_capacity: int) -> str:
        parts = []
        for item in self.items:
            if item == "utc":
                utc = datetime.fromtimestamp((self.onset_utc_us + host_time_us) / 1e6, tz=UTC)
                parts.append(utc.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3])
            elif item == "frame":
                parts.append(f"#{frame_index}")
            elif item == "fps":
                parts.append(f"{1e6 / self._interval_us:.1f} fps" if self._interval_us > 0 else "- fps")
            elif item == "ring":
                parts.append(f"ring {ring_depth}/{ring_capacity}")
        return "  ".join(parts)
