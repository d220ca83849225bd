"""Select output frames by index range or time range, before anything is decoded or encoded.

Ranges are half open ("start:stop", either side may be empty). Times are seconds from the first output
frame ("1.5:4") or, with a 'utc:' prefix, absolute UTC µs, so a range picked from one camera's table
also works on the stitched output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from camera_daemon.post.errors import PostOptionError


@dataclass(frozen=True)
class TrimRange:
    """Half-open range; None means unbounded. ``unit`` is 'frames', 'seconds' or 'utc_us'."""

    unit: str
    start: float | None
    stop: float | None

    @staticmethod
    def parse(text: str) -> TrimRange | None:
        """'' -> None; '100:200' frames; '1.5s:4s' seconds; 'utc:1763600000000000:' absolute UTC µs."""
        text = text.strip()
        if not text:
            return None
        unit = "frames"
        if text.startswith("utc:"):
            unit, text = "utc_us", text.removeprefix("utc:")
        elif "s" in text:
            unit, text = "seconds", text.replace("s", "")
        if ":" not in text:
            raise PostOptionError(
                f"--trim / [post] trim '{text}' needs a 'start:stop' range, "
                "e.g. '100:200', '1.5s:4s' or 'utc:START:STOP'"
            )
        first, _, second = text.partition(":")
        try:
            start = float(first) if first.strip() else None
            stop = float(second) if second.strip() else None
        except ValueError:
            raise PostOptionError(f"--trim / [post] trim '{text}': start and stop must be numbers") from None
        if start is not None and stop is not None and stop <= start:
            raise PostOptionError(f"--trim / [post] trim '{text}': stop must come after start")
        return TrimRange(unit, start, stop)


def trim_mask(tick_utc_us: npt.NDArray[np.int64], trim: TrimRange | None) -> npt.NDArray[np.bool_]:
    """Which output frames the range keeps."""
    count = tick_utc_us.size
    if trim is None:
        return np.ones(count, dtype=np.bool_)
    if trim.unit == "frames":
        position = np.arange(count, dtype=np.float64)
    elif trim.unit == "seconds":
        position = (tick_utc_us - (tick_utc_us[0] if count else 0)) / 1e6
    else:
        position = tick_utc_us.astype(np.float64)
    keep = np.ones(count, dtype=np.bool_)
    if trim.start is not None:
        keep &= position >= trim.start
    if trim.stop is not None:
        keep &= position < trim.stop
    if count and not keep.any():
        raise PostOptionError(
            f"--trim / [post] trim {trim.start}:{trim.stop} ({trim.unit}) selects no frame of {count}; widen the range"
        )
    return keep
