"""A SIGKILLed `camd run` (the recorder alone, not its process group) leaves nothing running and,
after `camd recover`, nothing of its own in /dev/shm."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import psutil
from processes import logged_entries, logger_processes, running, wait_until

from recordings import CAMD, manifest

CAMERAS = ["--camera", "a=synthetic:?width=160&height=120", "--camera", "b=synthetic:?width=160&height=120"]
SHM = Path("/dev/shm")


def test_killed_recorder_leaves_no_process_and_recover_leaves_no_shared_memory(tmp_path):
    env = {**os.environ, "CAMD_RUNTIME_DIR": str(tmp_path / "runtime")}
    session = tmp_path / "s"
    process = subprocess.Popen(
        [*CAMD, "run", *CAMERAS, "--output", str(tmp_path), "--session", "s", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    wait_until(lambda: logged_entries(session) >= 8, what="frames logged by both cameras")
    descendants = psutil.Process(process.pid).children(recursive=True)
    try:
        assert len(logger_processes(process.pid)) == 2
        os.kill(process.pid, signal.SIGKILL)  # the recorder only: its helpers must notice by themselves
        process.wait()
        wait_until(lambda: not any(map(running, descendants)), timeout_s=30, what="every process of the session ended")
    finally:
        for leftover in filter(running, descendants):
            leftover.kill()
    instance = next(session.glob("logs/*_data_log")).name.removesuffix("_data_log")
    record = json.loads((session / "logs" / "timestamp-logger.json").read_text())
    semaphores = [name for name in record["shared_memory"] if name.startswith("sem.mp-")]
    assert record["instance"] == instance and len(semaphores) >= 20  # two Events per camera, five each

    result = subprocess.run([*CAMD, "recover", str(session)], capture_output=True, text=True, env=env, check=False)
    # Workers finish after the recorder died; their last batch had no reader, and recover says so.
    cut = any(entry["error"] for entry in manifest(session)["cameras"].values())
    assert result.returncode == (1 if cut else 0), result.stderr
    assert manifest(session)["exit_state"] == "recovered"
    assert not (SHM / f"{instance}_terminator").exists()
    assert [name for name in semaphores if (SHM / name).exists()] == []


def test_clean_stop_reports_a_live_logger_and_leaves_nothing(tmp_path):
    runtime = tmp_path / "runtime"
    env = {**os.environ, "CAMD_RUNTIME_DIR": str(runtime)}
    args = ["run", "--camera", "a=synthetic:?width=160&height=120", "--duration", "1", "--output", str(tmp_path)]
    result = subprocess.run([*CAMD, *args, "--session", "s", "--quiet"], capture_output=True, text=True, env=env)
    assert result.returncode == 0 and result.stderr == ""
    data = manifest(tmp_path / "s")
    assert data["exit_state"] == "stopped" and data["logger"] == {"alive": True, "error": None}
    assert "warnings" not in data
    assert list((runtime / "loggers").iterdir()) == []
    record = json.loads((tmp_path / "s" / "logs" / "timestamp-logger.json").read_text())
    assert not any(psutil.pid_exists(p["pid"]) and running(psutil.Process(p["pid"])) for p in record["processes"])
    assert [name for name in record["shared_memory"] if (SHM / name).exists()] == []
