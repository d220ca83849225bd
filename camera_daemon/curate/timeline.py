"""Times a user names (seconds from the session start, ISO UTC) turned into frames, by logged time.

The session starts at the earliest first frame of any camera, so ``--times 2.5`` means the same
instant on every camera, whatever each one's onset. A time is matched to the nearest frame only
within a tolerance: a frame 3 s away is not "the frame at" a time, and is refused rather than given.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from camera_daemon.errors import ConfigError
from camera_daemon.post.session_io import CameraTrack, IntArray, SessionTracks


def session_start_us(tracks: SessionTracks) -> int:
    return min(int(track.utc_time_us[0]) for track in tracks.cameras if track.frame_count)


def iso(utc_us: int) -> str:
    """ISO 8601 with microseconds, as a CSV cell and in an overlay."""
    return datetime.fromtimestamp(utc_us / 1e6, tz=UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def file_iso(utc_us: int) -> str:
    """ISO 8601 basic format (no colons), safe in a file name on every system."""
    return datetime.fromtimestamp(utc_us / 1e6, tz=UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def parse_utc(text: str, option: str) -> int:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"{option} '{text}' is not an ISO time; write it like 2025-11-20T01:02:03.5Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1e6)


def parse_seconds(text: str, option: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{option} '{text}' is not a number of seconds from the session start") from None
    if not np.isfinite(value) or value < 0:
        raise ConfigError(f"{option} {text}: give seconds >= 0 from the session start")
    return value


def frame_interval_us(track: CameraTrack) -> float:
    steps = np.diff(track.host_time_us)
    return float(np.median(steps)) if steps.size else 1e6


def nearest(times_us: IntArray, targets_us: IntArray) -> tuple[IntArray, IntArray]:
    """Index of the nearest time for each target, and its distance in µs (times sorted ascending)."""
    right = np.clip(np.searchsorted(times_us, targets_us), 0, times_us.size - 1)
    left = np.clip(right - 1, 0, times_us.size - 1)
    pick = np.where(np.abs(times_us[left] - targets_us) <= np.abs(times_us[right] - targets_us), left, right)
    return pick.astype(np.int64), np.abs(times_us[pick] - targets_us).astype(np.int64)


def frames_at(
    track: CameraTrack, targets_us: list[int], tolerance_us: float, labels: list[str], start_us: int
) -> list[int]:
    """Nearest frames within the tolerance, or ConfigError naming the first time that has none."""
    utc = track.utc_time_us
    picks, distances = nearest(utc, np.asarray(targets_us, dtype=np.int64))
    for label, distance in zip(labels, distances, strict=True):
        if distance > tolerance_us:
            first, last = (utc[0] - start_us) / 1e6, (utc[-1] - start_us) / 1e6
            raise ConfigError(
                f"{label}: camera '{track.name}' has no frame within {tolerance_us / 1000:g} ms (nearest is "
                f"{distance / 1000:.1f} ms away; it has frames from {first:.3f} s to {last:.3f} s); "
                "pick a time inside that span or widen --tolerance-ms"
            )
    return [int(i) for i in picks]
