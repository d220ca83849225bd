"""The timestamp journal read back after a crash: a torn or corrupt last record is dropped, every
record before it is kept, and the session's reader merges journal and DataLogger without doubles."""

from __future__ import annotations

import numpy as np

from camera_daemon.timing.journal import JournalWriter, journal_path, read_journal
from camera_daemon.timing.records import FRAME_RECORD, onset_payload, pack_batch
from camera_daemon.timing.table import read_timestamp_logs


def _batch(first: int, count: int) -> bytes:
    rows = np.zeros(count, FRAME_RECORD)
    rows["frame_index"] = np.arange(first, first + count)
    rows["camera_frame_id"] = rows["frame_index"]
    rows["host_time_us"] = 1 + rows["frame_index"] * 33_333
    return pack_batch(rows).tobytes()


def test_torn_and_corrupt_tails_are_dropped(tmp_path):
    path = journal_path(tmp_path, "cam")
    writer = JournalWriter(path)
    writer.append(1, 0, onset_payload(1_700_000_000_000_000).tobytes())
    for first in range(0, 40, 8):
        writer.append(1, 1 + first * 33_333, _batch(first, 8))
    writer.close()
    whole = path.read_bytes()
    assert len(read_journal(path)) == 6
    path.write_bytes(whole[:-5])  # the last write cut short by a crash
    assert [time for _, time, _ in read_journal(path)] == [0, *(1 + f * 33_333 for f in range(0, 32, 8))]
    corrupt = bytearray(whole)
    corrupt[-3] ^= 0xFF  # a last record whose bytes never fully reached the disk
    path.write_bytes(bytes(corrupt))
    assert len(read_journal(path)) == 5
    path.write_bytes(whole[:3])
    assert read_journal(path) == []


def test_journal_and_logger_entries_merge_without_duplicates(tmp_path):
    writer = JournalWriter(journal_path(tmp_path, "cam"))
    writer.append(2, 0, onset_payload(5_000_000).tobytes())
    for first in range(0, 24, 8):
        writer.append(2, 1 + first * 33_333, _batch(first, 8))
    writer.close()
    logger_dir = tmp_path / "timestamps_0123456789ab_data_log"
    logger_dir.mkdir()
    for first in range(16, 40, 8):  # overlaps the journal by one batch, then goes on past it
        key = 1 + first * 33_333
        payload = np.frombuffer(_batch(first, 8), np.uint8)
        entry = np.concatenate([[2], np.frombuffer(np.uint64(key).tobytes(), np.uint8), payload]).astype(np.uint8)
        np.save(logger_dir / f"002_{key:020d}.npy", entry)
    log = read_timestamp_logs(tmp_path)[2]
    assert log.onset_utc_us == 5_000_000
    assert log.records["frame_index"].tolist() == list(range(40))
