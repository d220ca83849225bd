"""A result a table cannot hold fails analysis with the field named; the rows before it stay."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
import tomli_w

from recordings import camd, manifest

CALLBACK = """
def late_overflow(frame, frame_index, camera_frame_id, host_time_us):
    if frame_index < 20:
        return {"v": frame_index}
    return {"big": 2**70} if BAD == "big" else {f"f{i}": i for i in range(100_000)}
"""


@pytest.mark.parametrize(("bad", "message"), [("big", "field 'big'"), ("wide", "100000 fields")])
def test_unwritable_result_fails_analysis_and_keeps_earlier_rows(tmp_path: Path, bad: str, message: str) -> None:
    callback = tmp_path / "late_cb.py"
    callback.write_text(f"BAD = {bad!r}\n{CALLBACK}")
    camera = {"name": "cam", "width": 160, "height": 120, "fps": 30, "analysis": f"{callback}:late_overflow"}
    config = tmp_path / "c.toml"
    session = {"output": str(tmp_path), "name": "s", "duration_s": 2.0}
    config.write_text(tomli_w.dumps({"session": session, "cameras": [camera]}))
    result = camd("run", str(config), "--quiet", timeout=120)
    assert result.returncode == 5, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    entry = manifest(tmp_path / "s")["cameras"]["cam"]["analysis"]
    assert entry["state"] == "failed" and message in entry["error"]
    rows = pq.read_table(tmp_path / "s" / "cam.analysis.parquet").to_pydict()
    assert rows["frame_index"] and all(index < 20 for index in rows["frame_index"])
    assert rows["v"] == rows["frame_index"]
