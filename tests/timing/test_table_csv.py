"""The per-camera timestamp table: plain CSV on disk, read back by column name, and a damaged one
refused in one line instead of a traceback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from camera_daemon.timing.table import TABLE_COLUMNS

from recordings import camd, manifest, table


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("table")
    args = ["run", "--camera", "a=synthetic:?width=64&height=48&fps=50", "--duration", "0.6"]
    result = camd(*args, "--output", str(output), "--session", "t", "--quiet")
    assert result.returncode == 0, result.stderr
    return output / "t"


def test_csv_is_plain_integers_under_one_header_line(session: Path) -> None:
    lines = (session / "a.timestamps.csv").read_text().splitlines()
    assert lines[0] == ",".join(TABLE_COLUMNS)
    assert len(lines) - 1 == manifest(session)["cameras"]["a"]["timestamps_logged"] > 10
    for line in lines[1:]:
        cells = line.split(",")
        assert len(cells) == len(TABLE_COLUMNS) and all(cell.lstrip("-").isdigit() for cell in cells), line


def test_reordered_columns_export_by_name(session: Path, tmp_path: Path) -> None:
    copy = tmp_path / "t"
    copy.mkdir()
    for path in session.iterdir():
        if path.is_file():
            (copy / path.name).write_bytes(path.read_bytes())
    original = table(session, "a")
    reordered = list(reversed(TABLE_COLUMNS))
    rows = zip(*(original[name].tolist() for name in reordered), strict=True)
    text = ",".join(reordered) + "\n" + "".join(",".join(map(str, row)) + "\n" for row in rows)
    (copy / "a.timestamps.csv").write_text(text)
    result = camd("timestamps", str(copy), "--format", "parquet")
    assert result.returncode == 0, result.stderr
    exported = pq.read_table(copy / "a.timestamps.parquet").to_pydict()
    for name in TABLE_COLUMNS:
        assert np.array_equal(exported[name], original[name]), name


def test_damaged_table_is_one_line_and_kept(session: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "t"
    damaged.mkdir()
    (damaged / "manifest.json").write_bytes((session / "manifest.json").read_bytes())
    csv_path = damaged / "a.timestamps.csv"
    text = (session / "a.timestamps.csv").read_text().replace("\n", "\n12x,", 1)
    csv_path.write_text(text)
    result = camd("timestamps", str(damaged), "--format", "parquet")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert str(csv_path) in lines[0] and "delete it to rebuild it" in lines[0], lines[0]
    assert csv_path.read_text() == text
    assert not (damaged / "a.timestamps.parquet").exists()
