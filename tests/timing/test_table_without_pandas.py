"""Timestamp tables are written while recording and read back by QC at stop, in the recorder's own
process: importing pandas there (which pyarrow does on ``pa.array``/``to_numpy`` of numpy data) costs
about a second of CPU while the first frames are encoded. Both directions must leave it unloaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from recordings import manifest, table

_ROUND_TRIP = """
import io, sys
import numpy as np
from camera_daemon.timing.table import CSV_HEADER, TABLE_COLUMNS, read_csv, write_csv_rows
rows = 300_000  # several MiB: pyarrow reads it back in more than one chunk
matrix = np.arange(rows * len(TABLE_COLUMNS), dtype=np.int64).reshape(rows, -1) - 7
matrix[::7, -1] = -1
columns = {name: matrix[:, k] for k, name in enumerate(TABLE_COLUMNS)}  # strided, as a record field is
path = sys.argv[1]
with open(path, "wb") as handle:
    handle.write(CSV_HEADER)
    write_csv_rows({name: values[: rows // 2] for name, values in columns.items()}, handle)
    write_csv_rows({name: values[rows // 2 :] for name, values in columns.items()}, handle)
back = read_csv(path)
assert all(np.array_equal(back[name], columns[name]) for name in TABLE_COLUMNS), "values changed"
assert all(back[name].dtype == np.int64 and back[name].flags.writeable for name in TABLE_COLUMNS)
print("pandas" in sys.modules)
"""


def test_writing_and_reading_a_table_leaves_pandas_unimported(tmp_path: Path) -> None:
    path = tmp_path / "a.timestamps.csv"
    result = subprocess.run(
        [sys.executable, "-c", _ROUND_TRIP, str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False", "pandas was imported to write or read a timestamp table"


def test_camd_run_imports_pandas_in_none_of_its_processes(tmp_path: Path) -> None:
    """``-X importtime`` reaches every Python process the recorder starts; each reports to the
    recorder's stderr or to a log under ``logs/``."""
    args = ["run", "--camera", "a=synthetic:?width=64&height=48&fps=0", "--duration", "0.5"]
    args += ["--output", str(tmp_path), "--session", "t", "--quiet"]
    command = [sys.executable, "-X", "importtime", "-m", "camera_daemon", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    session = tmp_path / "t"
    frames = manifest(session)["cameras"]["a"]["timestamps_logged"]
    assert frames > 10 and len(table(session, "a")["frame_index"]) == frames
    reports = [result.stderr, *(path.read_text(errors="replace") for path in (session / "logs").glob("*.log"))]
    assert "import time:" in result.stderr, "-X importtime did not reach the recorder"
    loaded = [line for text in reports for line in text.splitlines() if line.rstrip().endswith("| pandas")]
    assert loaded == [], "a recorder process imported pandas"
