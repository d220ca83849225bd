"""A camera's clock: one UTC onset, then a monotonic microsecond count since it.

Wall-clock time can jump (NTP, manual changes); a monotonic count cannot. Storing the onset once
as UTC and every frame as an offset gives absolute times that never run backwards within a camera.
"""

from __future__ import annotations

from ataraxis_time import PrecisionTimer, get_timestamp


class HostClock:
    """Microseconds since the onset, strictly increasing so no two frames share a log key."""

    def __init__(self) -> None:
        self._timer = PrecisionTimer("us")
        self.onset_utc_us = int(get_timestamp(output_format="int"))
        self._timer.reset()
        self._last_us = 0

    def now_us(self) -> int:
        now = int(self._timer.elapsed)
        if now <= self._last_us:
            now = self._last_us + 1
        self._last_us = now
        return now
