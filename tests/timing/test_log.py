"""The batched timestamp log through a real DataLogger, read back by the session's reader."""

from __future__ import annotations

import multiprocessing

import numpy as np

from camera_daemon.timing.batcher import TimestampBatcher
from camera_daemon.timing.forwarder import LogForwarder
from camera_daemon.timing.table import read_camera_logs, table_columns


def test_batches_are_unique_entries_and_read_back_in_order(tmp_path):
    context = multiprocessing.get_context("spawn")
    forwarder = LogForwarder(tmp_path)
    forwarder.start()
    forwarder.start_logger()
    reader, writer = context.Pipe(duplex=False)
    forwarder.add_channel(reader, 3)
    batcher = TimestampBatcher(writer, capacity=16, flush_interval_us=10_000)
    batcher.log_onset(1_700_000_000_000_000)
    for index in range(100):
        batcher.add(index, 1000 + index, 1 + index * 1_000, index * 5)
    batcher.flush()
    writer.close()
    forwarder.stop()
    logs = read_camera_logs(forwarder.directory)
    log = logs[3]
    assert log.onset_utc_us == 1_700_000_000_000_000
    columns = table_columns(log)
    assert columns["frame_index"].tolist() == list(range(100))
    assert columns["camera_frame_id"].tolist() == [1000 + i for i in range(100)]
    assert np.array_equal(columns["utc_time_us"], columns["host_time_us"] + 1_700_000_000_000_000)
    entries = list(forwarder.directory.glob("003_*.npy"))
    assert 1 + 100 // 16 <= len(entries) <= 1 + 100 // 10 + 1  # batched: far fewer entries than frames
