"""Frames for analysis, read from the camera's shared-memory tap (camera_daemon/tap/).

The tap holds only the newest frame, so a callback slower than the camera sees the newest one due
when it is ready again and the frames in between are skipped for analysis. The feed renews its
demand (every N-th recorded frame) twice a second; a feed that stops asking costs the worker nothing
two seconds later.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from camera_daemon.analysis.process import FrameFeed, TappedFrame
from camera_daemon.tap import TapReader

_DEMAND_S = 2.0
_RENEW_S = 0.5
_POLL_S = 0.0005  # a new frame is noticed within half a millisecond


@dataclass(frozen=True)
class TapFeedSpec:
    tap: str  # the tap's name, which the camera's worker creates
    every: int

    def open_feed(self) -> FrameFeed:
        return TapFeed(self.tap, self.every)


class TapFeed:
    def __init__(self, name: str, every: int) -> None:
        self.name = name
        self.every = every
        self.reader: TapReader | None = None
        self._seen_seq = 0
        self._renew_at = 0.0

    def next_frame(self, after_index: int, timeout_s: float) -> TappedFrame | None:
        deadline = time.monotonic() + timeout_s
        while True:
            now = time.monotonic()
            if self.reader is None:
                self.reader = TapReader.attach(self.name)
            if self.reader is not None:
                if now >= self._renew_at:
                    self.reader.want(seconds=_DEMAND_S, every=self.every)
                    self._renew_at = now + _RENEW_S
                if self.reader.seq != self._seen_seq:
                    frame = self.reader.latest()
                    if frame is not None:
                        self._seen_seq = frame.seq
                        index = frame.frame_index
                        if index > after_index and index >= 0 and index % self.every == 0:  # -1: not recorded
                            frame.pixels.flags.writeable = False
                            return TappedFrame(frame.pixels, index, frame.camera_frame_id, frame.host_time_us)
            if now >= deadline:
                return None
            time.sleep(_POLL_S)

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
