"""The whole recorder SIGKILLed mid-session: `camd recover` turns what is on disk into final files."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np

from recordings import CAMD, camd, decoded_counters, manifest, table


def _batches(session: Path) -> int:
    return sum(1 for _ in session.glob("logs/*_data_log/*.npy"))


def _writers_alive(session: Path) -> bool:
    """Any process (ffmpeg finishing a file) whose command line names this session."""
    needle = str(session).encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "cmdline").read_bytes():
                    return True
            except OSError:
                continue
    return False


def _wait(condition, timeout_s: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the recording never reached the expected state"
        time.sleep(0.05)


def test_recover_after_the_recorder_was_killed(tmp_path):
    session = tmp_path / "crash"
    cameras = ["--camera", "a=synthetic:?width=160&height=120", "--camera", "b=synthetic:?width=160&height=120"]
    process = subprocess.Popen(
        [*CAMD, "run", *cameras, "--output", str(tmp_path), "--session", "crash", "--quiet"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait(lambda: _batches(session) >= 12)  # onset + several batches per camera are on disk
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    _wait(lambda: not _writers_alive(session))
    assert manifest(session)["exit_state"] == "recording"
    assert not (session / "a.timestamps.csv").exists()

    result = camd("recover", str(session))
    data = manifest(session)
    cut = [name for name in "ab" if data["cameras"][name]["error"]]  # the kill may lose a last batch
    assert result.returncode == (1 if cut else 0), result.stderr
    assert all(data["cameras"][name]["error"].endswith(" were cut") for name in cut)
    assert data["exit_state"] == "recovered"
    for name in "ab":
        rows = table(session, name)
        counters = decoded_counters(session / f"{name}.mkv")
        assert len(counters) == rows["frame_index"].size == data["cameras"][name]["frames_in_video"] >= 15
        assert counters == rows["camera_frame_id"].tolist()
        assert np.all(np.diff(rows["host_time_us"]) > 0)
    # recover packed the logger's loose entries into one archive per camera, as ataraxis tools expect
    assert _batches(session) == 0
    assert sorted(p.name for p in session.glob("logs/*_data_log/*.npz")) == ["1_log.npz", "2_log.npz"]
    again = camd("recover", str(session))
    assert again.returncode == 2 and "--force" in again.stderr
