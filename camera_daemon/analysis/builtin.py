"""Callbacks that ship with camd, so ``analysis = "camera_daemon.analysis.builtin:brightness"`` works
with nothing installed; also a model for writing one.

A callback gets a read-only frame: it must copy what it keeps, as ``motion`` does, because the
buffer is reused for the next frame.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_previous: dict[str, np.ndarray] = {}  # type: ignore[type-arg]  # one camera per process


def brightness(
    frame: np.ndarray, frame_index: int, camera_frame_id: int, host_time_us: int, **_: Any
) -> dict[str, Any]:  # type: ignore[type-arg]
    """Mean grey level (0-255 for 8-bit): a lights-on/off or LED detector with a threshold."""
    return {"brightness": float(frame.mean())}


def motion(frame: np.ndarray, frame_index: int, camera_frame_id: int, host_time_us: int, **_: Any) -> dict[str, Any]:  # type: ignore[type-arg]
    """Mean absolute difference to the previous analysed frame; None-valued on the first one."""
    current = frame.astype(np.int32)
    previous = _previous.get("frame")
    _previous["frame"] = current
    if previous is None or previous.shape != current.shape:
        return {"motion": None}
    return {"motion": float(np.abs(current - previous).mean())}


def noop(frame: np.ndarray, frame_index: int, camera_frame_id: int, host_time_us: int, **_: Any) -> None:  # type: ignore[type-arg]
    """Does nothing: measures what the analysis path itself costs."""
    return None
