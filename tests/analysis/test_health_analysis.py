"""The health log carries the analysis skips beside the ring, so a slow callback shows in the same rows."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pyarrow.csv as pacsv
from processes import wait_until

from camera_daemon.daemon.health import HealthLog
from camera_daemon.daemon.status import Field, new_status_row
from camera_daemon.post.plot_data import HEALTH_COLUMNS


def test_health_rows_hold_analysis_skips(tmp_path: Path) -> None:
    row = new_status_row(multiprocessing.get_context("spawn"))
    row[Field.pid] = os.getpid()
    row[Field.onset_utc_us] = time.time_ns() // 1000
    row[Field.analysis_skipped] = 17
    log = HealthLog(tmp_path, [("cam", row)], period_s=0.05)
    log.start()
    path = tmp_path / "cam.health.csv"
    try:
        wait_until(lambda: path.exists() and len(path.read_text().splitlines()) >= 3, what="two health rows")
    finally:
        log.stop()
    table = pacsv.read_csv(path)
    assert table.column("analysis_skipped").to_pylist()[0] == 17
    assert set(HEALTH_COLUMNS) <= set(table.column_names)  # the report's plot still finds its columns
