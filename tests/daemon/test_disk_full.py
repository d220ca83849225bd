"""A disk that fills while recording: every camera stops at once, and the session still ends final."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from disks import noisy_config, small_disk

from recordings import CAMD, camd, decoded_counters, manifest, table


def _frames_match_rows(session: Path, name: str) -> int:
    counters = decoded_counters(session / f"{name}.mkv")
    rows = table(session, name)
    assert len(counters) == rows["frame_index"].size
    assert counters == rows["camera_frame_id"].tolist()  # each row's frame is the one shown
    return len(counters)


def test_full_disk_stops_all_cameras_within_a_second_and_writes_tables(tmp_path):
    # The reserve must hold what the other camera writes until it stops, and the log's last batches.
    config = noisy_config(tmp_path / "s.toml", min_free_megabytes=0, reserve_megabytes=4)
    with small_disk(tmp_path / "disk", 10) as disk:
        result = camd("run", str(config), "--output", str(disk), "--session", "s", "--quiet", "--duration", "60")
        session = disk / "s"
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("camd: error: disk full: "), result.stderr
        data = manifest(session)
        assert data["exit_state"] == "failed"
        assert data["error"].startswith("disk full: ")
        ends, failures = [], []
        for name in ("cam0", "cam1"):
            assert _frames_match_rows(session, name) == data["cameras"][name]["frames_in_video"] > 10
            worker = json.loads((session / "logs" / f"{name}.worker.json").read_text())
            ends.append(worker["grab_ended_utc"])
            if "encoder_failed_utc" in worker:
                failures.append(worker["encoder_failed_utc"])
        assert failures, "no camera saw its encoder fail"
        assert max(ends) - min(failures) < 1.0
        assert not (session / "logs" / "disk.reserve").exists()


def test_disk_guard_stops_cleanly_before_the_disk_is_full(tmp_path):
    config = noisy_config(tmp_path / "s.toml", min_free_megabytes=10, reserve_megabytes=1)
    with small_disk(tmp_path / "disk", 16) as disk:
        result = camd("run", str(config), "--output", str(disk), "--session", "s", "--quiet", "--duration", "60")
        session = disk / "s"
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("camd: error: disk guard: free space on "), result.stderr
        data = manifest(session)
        assert data["exit_state"] == "failed" and data["error"].startswith("disk guard: ")
        for name in ("cam0", "cam1"):
            entry = data["cameras"][name]
            assert entry["exit_state"] == "stopped" and entry["frame_times"] == "recorded"
            assert _frames_match_rows(session, name) == entry["frames_in_video"] > 10


def test_daemon_survives_a_full_disk_until_camd_stop(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMD_RUNTIME_DIR", str(tmp_path / "runtime"))
    config = noisy_config(tmp_path / "s.toml", min_free_megabytes=0, reserve_megabytes=2)
    with small_disk(tmp_path / "disk", 8) as disk:
        started = camd("start", str(config), "--output", str(disk), "--session", "s")
        assert started.returncode == 0, started.stderr
        pid = int((tmp_path / "runtime" / "default.pid").read_text())
        try:
            deadline = time.monotonic() + 60
            while True:  # the daemon's own answer says the recording ended early
                reply = subprocess.run([*CAMD, "status", "--json"], capture_output=True, text=True, check=False)
                status = json.loads(reply.stdout) if reply.returncode == 0 else {}
                if status.get("state") == "failed":
                    break
                assert time.monotonic() < deadline, reply.stderr
            assert status["error"].startswith("disk full: ")
            assert status["disk_free_bytes"] >= 0
            os.kill(pid, 0)  # still alive, waiting for camd stop
            stopped = camd("stop")
            assert stopped.returncode == 1
            assert stopped.stderr.strip().splitlines() == [stopped.stderr.strip()]
            assert "disk full: " in stopped.stderr
            assert manifest(disk / "s")["exit_state"] == "failed"
            for name in ("cam0", "cam1"):
                _frames_match_rows(disk / "s", name)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
