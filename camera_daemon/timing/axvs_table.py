"""The per-camera table in the layout ataraxis-video-system's ``axvs process`` writes, so its
pipelines (frame statistics, discovery, alignment) read a camd session as one of their own.

That layout is ``camera_timestamps/camera_<source id>_timestamps.feather``: an Arrow IPC file with
one uint64 column, ``frame_time_us``, each frame's acquisition time in UTC microseconds, in video
frame order. The source id is the DataLogger source id camd logs the camera under (its place in
the session, from 1), so the file name matches the ``<id>_log.npz`` archive beside it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather

from camera_daemon.safe_write import write_atomic

AXVS_FOLDER = "camera_timestamps"
AXVS_COLUMN = "frame_time_us"


def axvs_timestamps_path(session: Path, source_id: int) -> Path:
    return session / AXVS_FOLDER / f"camera_{source_id}_timestamps.feather"


def write_axvs_timestamps(columns: dict[str, np.ndarray], session: Path, source_id: int) -> Path:  # type: ignore[type-arg]
    target = axvs_timestamps_path(session, source_id)
    target.parent.mkdir(exist_ok=True)
    times = pa.array(columns["utc_time_us"].astype(np.uint64), type=pa.uint64())
    table = pa.table({AXVS_COLUMN: times})
    # uncompressed, as polars' write_ipc leaves it: any Arrow reader opens it without a codec
    write_atomic(target, lambda handle: feather.write_feather(table, handle, compression="uncompressed"))
    return target
