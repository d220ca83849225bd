"""Write the stage's tables (CSV for people, Parquet for programs); missing values are empty cells."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from camera_daemon.post.align import AlignedFrames
from camera_daemon.timing.arrow_columns import to_arrow

Column = npt.NDArray[np.generic] | Sequence[object]


def frame_column(indices: npt.NDArray[np.int64]) -> pa.Array:
    """Source frame indices with -1 turned into nulls, so 'missing' can never be read as frame -1."""
    return to_arrow(np.asarray(indices, dtype=np.int64), indices < 0)


def build_table(columns: dict[str, Column | pa.Array]) -> pa.Table:
    return pa.table({name: to_arrow(values) for name, values in columns.items()})


def write_csv(path: Path, columns: dict[str, Column | pa.Array]) -> None:
    pacsv.write_csv(build_table(columns), path)


def aligned_columns(aligned: AlignedFrames) -> dict[str, Column | pa.Array]:
    """One row per output frame: its UTC time, and per camera the source frame (empty when missing)."""
    ticks = aligned.tick_utc_us
    columns: dict[str, Column | pa.Array] = {
        "frame_index": np.arange(aligned.tick_count, dtype=np.int64),
        "utc_time_us": ticks,
        "time_us": ticks - (ticks[0] if ticks.size else 0),
    }
    for position, name in enumerate(aligned.cameras):
        columns[name] = frame_column(aligned.source_index[:, position])
    for position, name in enumerate(aligned.cameras):
        present = aligned.source_index[:, position] >= 0
        columns[f"{name}_offset_us"] = to_arrow(aligned.offset_us[:, position].astype(np.int64), ~present)
    return columns


def write_aligned(csv_path: Path, parquet_path: Path, aligned: AlignedFrames) -> None:
    table = build_table(aligned_columns(aligned))
    pacsv.write_csv(table, csv_path)
    pq.write_table(table, parquet_path)


def read_aligned(parquet_path: Path) -> AlignedFrames:
    """The inverse of ``write_aligned``, for tools that stitch later from a saved alignment."""
    table = pq.read_table(parquet_path)
    names = tuple(name for name in table.column_names[3:] if not name.endswith("_offset_us"))
    indices = np.stack([table.column(name).to_numpy(zero_copy_only=False) for name in names], axis=1)
    offsets = np.stack([table.column(f"{name}_offset_us").to_numpy(zero_copy_only=False) for name in names], axis=1)
    return AlignedFrames(
        table.column("utc_time_us").to_numpy().astype(np.int64),
        names,
        np.nan_to_num(indices, nan=-1).astype(np.int64),
        np.nan_to_num(offsets, nan=0).astype(np.int64),
    )
