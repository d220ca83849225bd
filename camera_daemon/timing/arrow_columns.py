"""Numeric columns between numpy and Arrow without importing pandas, for the timestamp tables and the post stage.

pyarrow's ``to_numpy`` and ``pa.array`` import pandas on first use (about half a second, more than
reading or writing an hour of timestamps). A numeric column is one data buffer plus, where values
are missing, a validity bitmap, which numpy reads and builds directly; anything else (strings,
Python lists) still takes pyarrow's own conversion, off the default stitch path.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

_NUMPY_TYPES: dict[Any, Any] = {
    pa.int8(): np.int8,
    pa.int16(): np.int16,
    pa.int32(): np.int32,
    pa.int64(): np.int64,
    pa.uint8(): np.uint8,
    pa.uint16(): np.uint16,
    pa.uint32(): np.uint32,
    pa.uint64(): np.uint64,
    pa.float32(): np.float32,
    pa.float64(): np.float64,
}


_ARROW_TYPES = {np.dtype(kind): arrow for arrow, kind in _NUMPY_TYPES.items()}


def _chunk(chunk: pa.Array) -> npt.NDArray[Any] | None:
    kind = _NUMPY_TYPES.get(chunk.type)
    if kind is None or chunk.null_count:
        return None
    data = chunk.buffers()[1]
    if data is None:
        return np.zeros(0, dtype=kind)
    return np.frombuffer(data, dtype=kind, count=len(chunk), offset=chunk.offset * np.dtype(kind).itemsize)


def column_array(table: pa.Table, name: str, dtype: type[np.generic]) -> npt.NDArray[Any]:
    """Column ``name`` as a fresh array of ``dtype`` (a copy: the table's buffers stay read-only)."""
    column = table.column(name)
    parts = [_chunk(chunk) for chunk in column.chunks]
    if any(part is None for part in parts):
        return column.to_numpy().astype(dtype)  # type: ignore[no-any-return]
    if not parts:
        return np.zeros(0, dtype=dtype)
    return np.concatenate(parts).astype(dtype)  # type: ignore[arg-type]


def to_arrow(values: Any, missing: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    """``values`` as an Arrow array; ``missing`` marks the entries written as empty cells (nulls)."""
    if isinstance(values, pa.Array):
        return values
    kind = _ARROW_TYPES.get(values.dtype) if isinstance(values, np.ndarray) and values.ndim == 1 else None
    if kind is None:
        return pa.array(values, mask=missing)
    data = pa.py_buffer(np.ascontiguousarray(values))
    if missing is None or not missing.any():
        return pa.Array.from_buffers(kind, values.size, [None, data], null_count=0)
    valid = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    return pa.Array.from_buffers(kind, values.size, [valid, data], null_count=int(missing.sum()))
