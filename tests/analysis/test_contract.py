"""What a callback may return becomes a table row; anything else stops analysis with the field named."""

from __future__ import annotations

import numpy as np
import pytest

from camera_daemon.analysis.contract import ContractError, check_result


def test_plain_values_and_numpy_scalars_pass() -> None:
    result = check_result({"x": np.float32(1.5), "n": np.int64(3), "on": np.bool_(True), "s": "a", "none": None})
    assert result == {"x": 1.5, "n": 3, "on": True, "s": "a", "none": None}
    assert type(result["n"]) is int and type(result["on"]) is bool
    assert check_result(None) == {}
    assert check_result({"nan": float("nan")}) == {"nan": None}


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ([1, 2], "returned a list"),
        ({"xy": (1, 2)}, "field 'xy' is a tuple"),
        ({"mask": np.zeros(3)}, "field 'mask' is a ndarray"),
        ({"frame_index": 1}, "'frame_index' is a base column"),
        ({1: 2}, "key 1 is not a non-empty string"),
    ],
)
def test_anything_else_names_the_field(result: object, message: str) -> None:
    with pytest.raises(ContractError, match=message):
        check_result(result)


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ({"big": 2**70}, "field 'big' is 1180591620717411303424, outside 64-bit integers"),
        ({"huge": np.uint64(2**64 - 1)}, "field 'huge' is 18446744073709551615, outside 64-bit"),
        ({f"f{i}": i for i in range(100_000)}, "returned 100000 fields; return at most 256"),
        ({"x" * 1000: 1}, "has a name of 1000 characters; use at most 128"),
    ],
)
def test_values_a_table_cannot_hold_are_refused(result: object, message: str) -> None:
    with pytest.raises(ContractError, match=message):
        check_result(result)
    assert check_result({"edge": 2**63 - 1, "low": -(2**63)}) == {"edge": 2**63 - 1, "low": -(2**63)}
