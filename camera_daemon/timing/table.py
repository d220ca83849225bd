"""Turns the raw timestamp log into one table per camera, and writes it in the formats users load.

The reader accepts both the DataLogger's loose ``.npy`` entries (what a crashed or running session
has) and its assembled ``.npz`` archives, so the same code reads a session in any state.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from camera_daemon.errors import ConfigError
from camera_daemon.safe_write import write_atomic
from camera_daemon.timing.arrow_columns import column_array, to_arrow
from camera_daemon.timing.journal import JOURNAL_SUFFIX, read_journal
from camera_daemon.timing.records import FRAME_RECORD, unpack_batch

TABLE_COLUMNS = ("frame_index", "camera_frame_id", "host_time_us", "utc_time_us", "device_time_ns")
_HEADER_BYTES = 9  # DataLogger entry: source id (1 byte) + acquisition time (8 bytes), then the payload


@dataclass
class CameraLog:
    """Everything the log knows about one camera: its onset and its frame records in frame order."""

    source_id: int
    onset_utc_us: int | None
    records: np.ndarray  # type: ignore[type-arg]


def _entries(log_dir: Path) -> list[tuple[int, int, np.ndarray]]:  # type: ignore[type-arg]
    entries: list[tuple[int, int, np.ndarray]] = []  # type: ignore[type-arg]
    for path in sorted(log_dir.glob("*.npy")):
        try:
            raw = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError):
            continue  # an entry cut short by a crash: its frames are reported as missing, not guessed
        entries.append((int(raw[0]), int(np.frombuffer(raw[1:9].tobytes(), "<u8")[0]), raw[_HEADER_BYTES:]))
    for path in sorted(log_dir.glob("*.npz")):
        try:
            with np.load(path, allow_pickle=False) as archive:
                raws = [archive[key] for key in archive.files]
        except (ValueError, OSError, EOFError, zipfile.BadZipFile):
            continue  # an archive still being written: its loose entries are still beside it
        for raw in raws:
            entries.append((int(raw[0]), int(np.frombuffer(raw[1:9].tobytes(), "<u8")[0]), raw[_HEADER_BYTES:]))
    return entries


def read_camera_logs(log_dir: Path) -> dict[int, CameraLog]:
    return _assemble(_entries(log_dir))


def read_timestamp_logs(logs_dir: Path) -> dict[int, CameraLog]:
    """The session's whole log: the journals and every DataLogger folder under ``logs/``, merged.

    A batch is keyed by (source id, first host time), so the same batch found in both stores is
    read once; a batch in only one of them (the logger died, or the journal's tail was torn) still
    counts. Either store alone is enough.
    """
    merged: dict[tuple[int, int], np.ndarray] = {}  # type: ignore[type-arg]
    for path in sorted(logs_dir.glob(f"*{JOURNAL_SUFFIX}")):
        for source_id, acquisition_time, payload in read_journal(path):
            merged.setdefault((source_id, acquisition_time), payload)
    for directory in sorted(logs_dir.glob("*_data_log")):
        for source_id, acquisition_time, payload in _entries(directory):
            merged.setdefault((source_id, acquisition_time), payload)
    return _assemble([(source, time, payload) for (source, time), payload in merged.items()])


def read_journals(logs_dir: Path) -> dict[int, CameraLog]:
    """The tables from the journals alone: one sequential read per camera, however many DataLogger
    entries the session made (thousands of small files after an hour). Enough whenever every batch
    was journaled, which the forwarder reports; otherwise ``read_timestamp_logs`` merges both stores."""
    entries: list[tuple[int, int, np.ndarray]] = []  # type: ignore[type-arg]
    for path in sorted(logs_dir.glob(f"*{JOURNAL_SUFFIX}")):
        entries.extend(read_journal(path))
    return _assemble(entries)


def _assemble(entries: list[tuple[int, int, np.ndarray]]) -> dict[int, CameraLog]:  # type: ignore[type-arg]
    logs: dict[int, CameraLog] = {}
    batches: dict[int, list[np.ndarray]] = {}  # type: ignore[type-arg]
    for source_id, acquisition_time, payload in entries:
        log = logs.setdefault(source_id, CameraLog(source_id, None, np.zeros(0, FRAME_RECORD)))
        if acquisition_time == 0:
            log.onset_utc_us = int(np.frombuffer(payload.tobytes(), "<u8")[0])
        else:
            batches.setdefault(source_id, []).append(unpack_batch(payload))
    for source_id, parts in batches.items():
        records = np.concatenate(parts)
        logs[source_id].records = records[np.argsort(records["frame_index"], kind="stable")]
    return logs


def table_columns(log: CameraLog, frames: int | None = None) -> dict[str, np.ndarray]:  # type: ignore[type-arg]
    records = log.records if frames is None else log.records[:frames]
    onset = np.uint64(log.onset_utc_us or 0)
    return {
        "frame_index": records["frame_index"].astype(np.int64),
        "camera_frame_id": records["camera_frame_id"].astype(np.int64),
        "host_time_us": records["host_time_us"].astype(np.int64),
        "utc_time_us": (records["host_time_us"] + onset).astype(np.int64),
        "device_time_ns": records["device_time_ns"].astype(np.int64),
    }


def write_csv(columns: dict[str, np.ndarray], path: Path) -> None:  # type: ignore[type-arg]
    """Plain integers under a plain header line (pyarrow would quote the names), read by any tool."""

    def write(handle: BinaryIO) -> None:
        handle.write(CSV_HEADER)
        write_csv_rows(columns, handle)

    write_atomic(path, write)


CSV_HEADER = (",".join(TABLE_COLUMNS) + "\n").encode()


def write_csv_rows(columns: dict[str, np.ndarray], handle: BinaryIO) -> None:  # type: ignore[type-arg]
    """Rows only, in the table's column order: the whole table at once or one batch at a time.

    The columns are wrapped as Arrow arrays over their own memory: ``pa.array``/``pa.table`` on numpy
    input first ask whether it is a pandas object, which imports pandas (about a second of CPU, in
    the recorder, while the first frames are encoded)."""
    arrays = [to_arrow(np.ascontiguousarray(columns[name], dtype=np.int64)) for name in TABLE_COLUMNS]
    table = pa.Table.from_arrays(arrays, names=list(TABLE_COLUMNS))
    pacsv.write_csv(table, handle, pacsv.WriteOptions(include_header=False))


def read_csv(path: Path) -> dict[str, np.ndarray]:  # type: ignore[type-arg]
    """Columns by name, so a table another tool reordered or extended still reads right."""
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(TABLE_COLUMNS, pa.int64()), include_columns=TABLE_COLUMNS)
    try:
        table = pacsv.read_csv(path, convert_options=options)
    except (pa.ArrowInvalid, pa.ArrowKeyError) as error:
        reason = str(error).splitlines()[0]
        raise ConfigError(
            f"{path}: not a timestamp table with integer columns {', '.join(TABLE_COLUMNS)} ({reason}); "
            "delete it to rebuild it from the session's raw log"
        ) from None
    return {name: column_array(table, name, np.int64) for name in TABLE_COLUMNS}


def write_table(columns: dict[str, np.ndarray], stem: Path, fmt: str) -> Path:  # type: ignore[type-arg]
    """Write ``<stem>.<fmt>`` in ``csv``, ``npz`` or ``parquet``; returns the file written."""
    target = stem.with_name(f"{stem.name}.{fmt}")
    if fmt == "csv":
        write_csv(columns, target)
    elif fmt == "npz":
        write_atomic(target, lambda handle: np.savez(handle, **columns))  # type: ignore[arg-type]
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        write_atomic(target, lambda handle: pq.write_table(pa.table(columns), handle))
    else:
        raise ValueError(f"unknown table format '{fmt}'; use csv, npz or parquet")
    return target
