"""What a stop does and does not do: the video is final as ffmpeg wrote it (no remux rewrites it),
the tables come from the journal (the DataLogger's thousands of entries are not read back), and the
checksums follow once the stop has replied."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from processes import wait_until

from recordings import CAMD, camd, checksummed_manifest, frame_times_s, table


def _expected_ticks(host_time_us: np.ndarray, tick_us: int) -> np.ndarray:  # type: ignore[type-arg]
    """The container's clock: offset from the first frame, rounded, kept strictly increasing."""
    n = host_time_us.size
    ticks = np.rint((host_time_us - host_time_us[0]) / tick_us).astype(np.int64)
    return np.maximum.accumulate(ticks - np.arange(n)) + np.arange(n)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("container", "tick_us"), [("mkv", 1000), ("mp4", 1)])
def test_stopped_video_holds_the_logged_times_without_being_rewritten(
    tmp_path: Path, runtime: Path, container: str, tick_us: int
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[encoder]\ncontainer = "{container}"\n[[cameras]]\nname = "a"\nfps = 90\nirregular = true\n')
    started = camd("start", str(config), "--output", str(tmp_path), "--session", "s")
    assert started.returncode == 0, started.stderr
    video = tmp_path / "s" / f"a.{container}"
    recording_inode = video.stat().st_ino
    wait_until(lambda: video.stat().st_size > 20_000, what="a few clusters written")
    stopped = camd("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert video.stat().st_ino == recording_inode, "the video was replaced at stop"
    entry = checksummed_manifest(tmp_path / "s")["cameras"]["a"]
    assert entry["frame_times"] == "recorded" and entry["remuxed"] is False
    assert entry["sha256"] == hashlib.sha256(video.read_bytes()).hexdigest()
    host = table(tmp_path / "s", "a")["host_time_us"]
    assert host.size == entry["frames_in_video"] > 30
    times = np.array(frame_times_s(video))
    assert times.size == host.size
    assert np.array_equal(np.rint(times * 1_000_000 / tick_us).astype(np.int64), _expected_ticks(host, tick_us))


def test_stop_builds_the_tables_without_reading_the_datalogger_entries(tmp_path: Path) -> None:
    """A FIFO posing as a DataLogger entry blocks whoever opens it: a stop that read the entries
    back would hang on it. The journal alone must give the full tables."""
    args = ["run", "--camera", "a=synthetic:?width=160&height=120&fps=60", "--duration", "3"]
    process = subprocess.Popen(
        [*CAMD, *args, "--output", str(tmp_path), "--session", "s", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        folder = wait_until(lambda: next((tmp_path / "s" / "logs").glob("*_data_log"), None), what="the log folder")
        os.mkfifo(folder / "001_00000000000000000001.npy")
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    entry = checksummed_manifest(tmp_path / "s")["cameras"]["a"]
    rows = table(tmp_path / "s", "a")
    assert rows["frame_index"].size == entry["frames_in_video"] == entry["frames_written"] > 100
    assert np.array_equal(rows["frame_index"], np.arange(rows["frame_index"].size))
