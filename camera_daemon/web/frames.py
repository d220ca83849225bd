"""JPEG tiles from the taps, encoded only when a client asks, and once per new frame.

A request marks its camera's tap as watched for two seconds; the worker publishes only while that
mark is fresh, so a closed page costs the recording nothing. Several clients watching one camera
share one encode: the JPEG is kept until the tap's sequence number moves.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from camera_daemon.tap import TapFrame, TapReader

_WATCH_S = 2.0  # a tap stays wanted this long after the last request
_QUALITY = 80


@dataclass
class _Encoded:
    seq: int
    jpeg: bytes
    frame_index: int
    host_time_us: int


def encode_jpeg(frame: TapFrame, width: int = 0) -> bytes:
    """The frame as JPEG, no wider than ``width``: an analysed camera's tap holds whole frames."""
    import cv2

    pixels = frame.pixels
    if 0 < width < pixels.shape[1]:
        height = max(1, round(pixels.shape[0] * width / pixels.shape[1]))
        pixels = cv2.resize(pixels, (width, height), interpolation=cv2.INTER_AREA)
    if pixels.dtype == np.uint16:  # JPEG holds 8 bits: keep the top ones
        pixels = (pixels >> 8).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, _QUALITY])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(data)


class TileSource:
    """One reader and one cached JPEG per camera; safe to call from several threads."""

    def __init__(self, rate_hz: float, width: int = 0) -> None:
        self.rate_hz = rate_hz
        self.width = width
        self._readers: dict[str, TapReader] = {}
        self._cache: dict[str, _Encoded] = {}
        self._lock = threading.Lock()
        self.encoded = 0  # JPEG encodes so far: what watching costs

    def _reader(self, tap_name: str) -> TapReader | None:
        with self._lock:
            reader = self._readers.get(tap_name)
            if reader is None:
                reader = TapReader.attach(tap_name)
                if reader is not None:
                    self._readers[tap_name] = reader
            return reader

    def tile(self, tap_name: str, wait_s: float = 0.5) -> _Encoded | None:
        """The latest frame as JPEG, waiting up to ``wait_s`` for a fresh one when the tap was idle
        (its frame is older than two preview intervals, or it has none yet)."""
        reader = self._reader(tap_name)
        if reader is None:
            return None
        reader.want(_WATCH_S, self.rate_hz)
        stale_ns = int(2e9 / self.rate_hz)
        deadline = time.monotonic() + wait_s
        frame = reader.latest()
        while (frame is None or time.monotonic_ns() - frame.published_ns > stale_ns) and time.monotonic() < deadline:
            time.sleep(0.01)
            frame = reader.latest() or frame
        if frame is None:
            return None
        with self._lock:
            cached = self._cache.get(tap_name)
            if cached is not None and cached.seq == frame.seq:
                return cached
        encoded = _Encoded(frame.seq, encode_jpeg(frame, self.width), frame.frame_index, frame.host_time_us)
        with self._lock:
            self._cache[tap_name] = encoded
            self.encoded += 1
        return encoded

    def close(self) -> None:
        with self._lock:
            for reader in self._readers.values():
                reader.close()
            self._readers.clear()
