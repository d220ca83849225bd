"""The CLI as a user runs it: demo, run with --camera, timestamps export, version."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq

from camera_daemon import __version__

from recordings import camd, decoded_counters, manifest, table


def test_version():
    result = camd("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout and "ffmpeg" in result.stdout


def test_demo_records_three_cameras(tmp_path):
    result = camd("demo", "--output", str(tmp_path), "--duration", "1.5")
    assert result.returncode == 0, result.stderr
    (session,) = tmp_path.iterdir()  # named by its UTC start, like any session
    data = manifest(session)
    assert set(data["cameras"]) == {"left", "right", "top"}
    for name, entry in data["cameras"].items():
        assert entry["frames_in_video"] == entry["timestamps_logged"] > 20
        assert len(decoded_counters(session / f"{name}.mkv")) == entry["frames_in_video"]
    assert "left" in result.stdout


def test_timestamps_export_and_rebuild_from_raw_log(tmp_path):
    args = ["run", "--camera", "a=synthetic:?width=64&height=48&fps=50", "--duration", "1"]
    assert camd(*args, "--output", str(tmp_path), "--session", "t", "--quiet").returncode == 0
    session = tmp_path / "t"
    csv_rows = table(session, "a")
    result = camd("timestamps", str(session), "--format", "parquet")
    assert result.returncode == 0, result.stderr
    parquet = pq.read_table(session / "a.timestamps.parquet").to_pydict()
    assert parquet["host_time_us"] == csv_rows["host_time_us"].tolist()
    assert camd("timestamps", str(session), "--format", "npz").returncode == 0
    with np.load(session / "a.timestamps.npz") as npz:
        assert np.array_equal(npz["utc_time_us"], csv_rows["utc_time_us"])
    # a session whose stop never ran has no tables: they come back from the DataLogger entries
    (session / "a.timestamps.csv").unlink()
    assert camd("timestamps", str(session), "--format", "csv").returncode == 0
    rebuilt = table(session, "a")
    assert np.array_equal(rebuilt["host_time_us"], csv_rows["host_time_us"])
    bad = camd("timestamps", str(session), "--format", "xls")
    assert bad.returncode == 2 and "--format" in bad.stderr
