"""Frames for analysis, read from the camera's shared-memory tap (camera_daemon/tap/)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from camera_daemon.analysis.process import FrameFeed


@dataclass(frozen=True)
class TapFeedSpec:
    tap: Any
    every: int

    def open_feed(self) -> FrameFeed:
        raise NotImplementedError
