"""Turning a camera's buffer timestamps into one increasing device clock.

Some producers report ``timestamp_ns`` as nanoseconds within the current second (the EMVA TLSimu
simulator does), so the raw value jumps back by a second about once per second. While every value
seen so far is below one second, the clock is treated as possibly wrapping and the number of whole
seconds between two frames is taken from the host clock: the raw difference is correct modulo one
second and the host difference tells which multiple, as long as host and device disagree by less
than half a second between consecutive frames. A clock that does not wrap gets zero extra seconds
from the same rule, so it passes through unchanged.

Once a raw value at or above one second is seen the clock is known not to wrap at one second; from
then on a backward step cannot be explained, and every later frame is reported as -1 (unknown)
rather than as a plausible-looking wrong time.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

_SECOND_NS = 1_000_000_000


class DeviceClock:
    """Unwraps raw device timestamps, one call per frame in arrival order."""

    def __init__(self) -> None:
        self._previous_raw_ns = -1
        self._previous_ns = -1
        self._previous_host_ns = 0
        self._may_wrap = True
        self.unreliable = False
        self.wraps = 0

    def unwrap(self, raw_ns: int, host_ns: int) -> int:
        """The device time for a frame whose raw timestamp is ``raw_ns``, received at ``host_ns``.

        ``host_ns`` is any monotonic host clock in nanoseconds; only differences are used.
        """
        if self.unreliable or raw_ns < 0:
            return -1
        if raw_ns >= _SECOND_NS:
            self._may_wrap = False
        if self._previous_raw_ns < 0:
            unwrapped = raw_ns
        elif self._may_wrap:
            raw_step = raw_ns - self._previous_raw_ns
            host_step = host_ns - self._previous_host_ns
            # A backward raw step is at least one wrap, whatever the host clock says.
            seconds = max(round((host_step - raw_step) / _SECOND_NS), 1 if raw_step < 0 else 0)
            self.wraps += seconds
            unwrapped = self._previous_ns + raw_step + seconds * _SECOND_NS
        elif raw_ns > self._previous_raw_ns:
            unwrapped = self._previous_ns + raw_ns - self._previous_raw_ns
        else:
            logger.warning(
                "device timestamp went back from %d to %d ns; device times are reported as -1 from now on",
                self._previous_raw_ns,
                raw_ns,
            )
            self.unreliable = True
            return -1
        self._previous_raw_ns = raw_ns
        self._previous_ns = unwrapped
        self._previous_host_ns = host_ns
        return unwrapped
