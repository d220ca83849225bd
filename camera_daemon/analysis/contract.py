"""What a callback may return: a flat dict of numbers, text and booleans, or None.

Checked on every frame because the result becomes a table column: a nested value or an array has no
column type, and a field named like a base column would silently shadow the frame's own time.
"""

from __future__ import annotations

import math

BASE_COLUMNS = ("frame_index", "camera_frame_id", "host_time_us", "utc_time_us", "result_latency_us")

Value = int | float | bool | str | None

# A row is a table row: past these, pyarrow refuses the part (and with it every row of that flush) or
# the file turns into a schema dump. Refusing here names the field while the earlier rows are on disk.
MAX_FIELDS = 256
MAX_NAME_LENGTH = 128
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class ContractError(Exception):
    """The callback returned something that cannot be a row; analysis stops as for a raise."""


def check_result(result: object) -> dict[str, Value]:
    """The result as plain Python values, numpy scalars unwrapped; raises ContractError naming the field."""
    if result is None:
        return {}
    if not isinstance(result, dict):
        raise ContractError(f"the callback returned a {type(result).__name__}; return a flat dict or None")
    if len(result) > MAX_FIELDS:
        raise ContractError(f"the callback returned {len(result)} fields; return at most {MAX_FIELDS}")
    clean: dict[str, Value] = {}
    for key, value in result.items():
        if not isinstance(key, str) or not key:
            raise ContractError(f"result key {key!r} is not a non-empty string")
        if len(key) > MAX_NAME_LENGTH:
            raise ContractError(
                f"result field '{key[:40]}...' has a name of {len(key)} characters; use at most {MAX_NAME_LENGTH}"
            )
        if key in BASE_COLUMNS:
            raise ContractError(f"result field '{key}' is a base column; rename it")
        item = value.item() if hasattr(value, "item") and getattr(value, "ndim", 1) == 0 else value
        if item is not None and not isinstance(item, int | float | bool | str):
            raise ContractError(
                f"result field '{key}' is a {type(value).__name__}; return numbers, text or booleans only"
            )
        if isinstance(item, int) and not isinstance(item, bool) and not INT64_MIN <= item <= INT64_MAX:
            raise ContractError(f"result field '{key}' is {item}, outside 64-bit integers; return a float or a string")
        if isinstance(item, float) and math.isnan(item):
            item = None
        clean[key] = item
    return clean
