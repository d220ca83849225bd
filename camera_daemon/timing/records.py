"""The binary layout of one frame's timing record, shared by the writer and every reader.

Records travel in batches: one DataLogger entry per batch keeps the logger's ~1 ms per-entry cost
off the per-frame path, and a batch's key (its first host time) is unique because host times are.
"""

from __future__ import annotations

import numpy as np

FORMAT_VERSION = 1
FRAME_RECORD = np.dtype(
    [
        ("frame_index", "<u8"),
        ("camera_frame_id", "<i8"),
        ("host_time_us", "<u8"),
        ("device_time_ns", "<i8"),
    ]
)
_HEADER = np.array([FORMAT_VERSION], dtype=np.uint8)


def pack_batch(records: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
    """Serialize records into the uint8 payload a LogPackage carries (one version byte, then rows)."""
    return np.concatenate([_HEADER, records.view(np.uint8).reshape(-1)])


def unpack_batch(payload: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
    if payload.size == 0 or int(payload[0]) != FORMAT_VERSION:
        raise ValueError("timestamp log entry has an unknown format version")
    body = np.ascontiguousarray(payload[1:])
    if body.size % FRAME_RECORD.itemsize:
        raise ValueError("timestamp log entry is truncated")
    return body.view(FRAME_RECORD).copy()


def onset_payload(onset_utc_us: int) -> np.ndarray:  # type: ignore[type-arg]
    """The onset entry's payload: 8 bytes of little-endian UTC µs, as LogArchiveReader expects."""
    return np.frombuffer(np.uint64(onset_utc_us).tobytes(), dtype=np.uint8).copy()
