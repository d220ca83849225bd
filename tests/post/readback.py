"""Read a post-stage output back: decoded frames, their times, and a hash of the decoded pixels."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np


def decoded(path: Path, fmt: str = "bgr24") -> Iterator[tuple[np.ndarray, int]]:  # type: ignore[type-arg]
    """Frames with their presentation time in ms (Matroska's unit)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            assert frame.pts is not None
            yield frame.to_ndarray(format=fmt), round(float(frame.pts * stream.time_base) * 1000)


def decoded_hash(path: Path) -> str:
    digest = hashlib.sha256()
    for pixels, time_ms in decoded(path):
        digest.update(pixels.tobytes())
        digest.update(str(time_ms).encode())
    return digest.hexdigest()


def nearest_truth(ticks_us: np.ndarray, times_us: np.ndarray, tolerance_us: float) -> np.ndarray:  # type: ignore[type-arg]
    """Brute force: the nearest frame to each tick (earlier on a tie), -1 when outside tolerance."""
    out = np.full(ticks_us.size, -1)
    for row, tick in enumerate(ticks_us):
        gaps = np.abs(times_us - tick)
        best = int(np.argmin(gaps))
        if gaps[best] <= tolerance_us:
            out[row] = best
    return out
