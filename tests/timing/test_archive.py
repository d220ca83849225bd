"""The DataLogger's loose entries are packed into per-source .npz archives after stop, and every
reader gives the same tables from either form."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
from ataraxis_data_structures import LogArchiveReader
from processes import wait_until

from camera_daemon.timing.records import FRAME_RECORD, onset_payload, pack_batch
from camera_daemon.timing.table import read_timestamp_logs, table_columns

from recordings import camd, manifest, table

CAMERAS = ["--camera", "a=synthetic:?width=64&height=48&fps=40", "--camera", "b=synthetic:?width=64&height=48&fps=25"]


def _packed(session: Path) -> bool:
    folder = next(session.glob("logs/*_data_log"))
    return not any(folder.glob("*.npy")) and len(list(folder.glob("*_log.npz"))) == 2


def test_stop_packs_the_log_and_readers_read_the_archives(tmp_path: Path) -> None:
    result = camd("run", *CAMERAS, "--duration", "1", "--output", str(tmp_path), "--session", "s", "--quiet")
    assert result.returncode == 0, result.stderr
    session = tmp_path / "s"
    wait_until(lambda: _packed(session), timeout_s=120, what="the log packed into archives")
    folder = next(session.glob("logs/*_data_log"))
    logs = read_timestamp_logs(session / "logs")
    for source_id, name in enumerate(("a", "b"), start=1):
        archive = folder / f"{source_id}_log.npz"
        reader = LogArchiveReader(archive_path=archive)  # ataraxis' own reader: onset entry first, then batches
        assert reader.onset_timestamp_us == logs[source_id].onset_utc_us
        assert table_columns(logs[source_id])["utc_time_us"].tolist() == table(session, name)["utc_time_us"].tolist()
    # from the archives alone: the table export and recover give the same frames
    (session / "b.timestamps.csv").unlink()
    exported = camd("timestamps", str(session), "--camera", "b", "--format", "npz", "--json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["files"][0]["rows"] == manifest(session)["cameras"]["b"]["frames_in_video"]
    recovered = camd("recover", str(session), "--force")
    assert recovered.returncode == 0, recovered.stderr
    assert table(session, "b")["frame_index"].size == manifest(session)["cameras"]["b"]["frames_in_video"]


def _limit_open_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))


def test_many_entries_pack_within_a_small_open_file_limit(tmp_path: Path) -> None:
    """Memory-mapped packing keeps a file open per entry; this limit is far below the entry count."""
    folder = tmp_path / "logs" / "timestamps_0123_data_log"
    folder.mkdir(parents=True)
    entries = 3000
    header = lambda time: np.concatenate([[np.uint8(1)], np.frombuffer(np.uint64(time).tobytes(), np.uint8)])  # noqa: E731
    np.save(folder / f"001_{0:020d}.npy", np.concatenate([header(0), onset_payload(1_700_000_000_000_000)]))
    for index in range(entries):
        record = np.zeros(1, FRAME_RECORD)
        record["frame_index"], record["camera_frame_id"], record["host_time_us"] = index, index, 1000 + 33_333 * index
        np.save(
            folder / f"001_{1000 + 33_333 * index:020d}.npy",
            np.concatenate([header(1000 + 33_333 * index), pack_batch(record)]),
        )
    before = read_timestamp_logs(tmp_path / "logs")[1].records

    packer = subprocess.run(
        [sys.executable, "-m", "camera_daemon.timing.archive", str(tmp_path / "logs")],
        capture_output=True, text=True, timeout=300, preexec_fn=_limit_open_files,
    )  # fmt: skip
    assert packer.returncode == 0, packer.stderr[-2000:]
    assert not any(folder.glob("*.npy"))
    with np.load(folder / "1_log.npz") as archive:
        assert len(archive.files) == entries + 1
    after = read_timestamp_logs(tmp_path / "logs")[1]
    assert after.onset_utc_us == 1_700_000_000_000_000
    assert np.array_equal(after.records, before) and after.records.size == entries
