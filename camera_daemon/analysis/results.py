"""The analysis table: one row per analysed frame, kept on disk in parts at least once a second.

Parquet is readable only once its footer is written, so a single growing file would lose everything
on a crash. Rows go instead into small complete part files under ``logs/<camera>.analysis.parts/``
(each written under a temporary name and renamed), and ``merge_parts`` turns them into
``<camera>.analysis.parquet`` at the end, or after a crash. A callback whose fields change between
frames simply starts the next part with another schema; the merge unifies them.
"""

from __future__ import annotations

import csv as csvlib
import io
import shutil
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from camera_daemon.analysis.contract import BASE_COLUMNS, Value
from camera_daemon.safe_write import write_atomic

FLUSH_INTERVAL_S = 0.5


def parts_dir(logs_dir: Path, camera: str) -> Path:
    return logs_dir / f"{camera}.analysis.parts"


def table_path(session_root: Path, camera: str) -> Path:
    return session_root / f"{camera}.analysis.parquet"


class ResultWriter:
    def __init__(self, logs_dir: Path, camera: str) -> None:
        self.folder = parts_dir(logs_dir, camera)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._rows: list[tuple[tuple[int, ...], dict[str, Value]]] = []
        self._part = 0
        self._last_flush = 0.0
        self.rows_written = 0

    def add(self, base: tuple[int, int, int, int, int], fields: dict[str, Value]) -> None:
        self._rows.append((base, fields))

    def flush_if_due(self, now_s: float) -> None:
        if now_s - self._last_flush >= FLUSH_INTERVAL_S:
            self.flush()
            self._last_flush = now_s

    def flush(self) -> None:
        if not self._rows:
            return
        rows, self._rows = self._rows, []
        columns: dict[str, list[Any]] = {name: [] for name in BASE_COLUMNS}
        names: list[str] = []
        for _, fields in rows:
            names.extend(key for key in fields if key not in columns and key not in names)
        for name in names:
            columns[name] = []
        for base, fields in rows:
            for name, value in zip(BASE_COLUMNS, base, strict=True):
                columns[name].append(value)
            for name in names:
                columns[name].append(fields.get(name))
        table = pa.table({name: _array(name, values) for name, values in columns.items()})
        write_atomic(self.folder / f"part-{self._part:08d}.parquet", lambda out: pq.write_table(table, out))
        self._part += 1
        self.rows_written += len(rows)


def _array(name: str, values: list[Any]) -> pa.Array:
    if name in BASE_COLUMNS:
        return pa.array(values, type=pa.int64())
    kinds = {type(value) for value in values if value is not None}
    if kinds <= {int, float} and float in kinds:  # a field that is sometimes 1 and sometimes 0.5
        return pa.array([None if value is None else float(value) for value in values], type=pa.float64())
    if len(kinds) > 1:  # mixed text and numbers: text keeps every value readable
        return pa.array([None if value is None else str(value) for value in values], type=pa.string())
    return pa.array(values)


def merge_parts(logs_dir: Path, session_root: Path, camera: str, csv: bool = False) -> Path | None:
    """Every part into one Parquet file (and a CSV copy when asked); the parts go once it exists."""
    folder = parts_dir(logs_dir, camera)
    parts = sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []
    tables = []
    for part in parts:
        try:
            tables.append(pq.read_table(part))
        except (OSError, pa.ArrowInvalid):
            continue  # parts are renamed into place whole; an unreadable one is damage, not a reason to lose the rest
    if not tables:
        if not folder.is_dir():
            return None
        table = pa.table({name: pa.array([], type=pa.int64()) for name in BASE_COLUMNS})
    else:
        table = pa.concat_tables(tables, promote_options="permissive")
    path = table_path(session_root, camera)
    write_atomic(path, lambda out: pq.write_table(table, out, compression="zstd"))
    if csv:
        write_atomic(path.with_suffix(".csv"), lambda out: _write_csv(table, out))
    shutil.rmtree(folder, ignore_errors=True)
    return path


def _write_csv(table: pa.Table, out: BinaryIO) -> None:
    """Plain header names, as every other table camd writes, and values quoted only where needed."""
    header = io.StringIO()
    csvlib.writer(header, lineterminator="\n").writerow(table.column_names)
    out.write(header.getvalue().encode())
    pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False, quoting_style="needed"))


def merge_left_parts(session_root: Path) -> list[Path]:
    """Tables for the analyses a killed recorder could not finish (``camd recover``)."""
    logs = session_root / "logs"
    suffix = ".analysis.parts"
    folders = sorted(logs.glob(f"*{suffix}")) if logs.is_dir() else []
    merged = (merge_parts(logs, session_root, folder.name.removesuffix(suffix)) for folder in folders)
    return [path for path in merged if path is not None]
