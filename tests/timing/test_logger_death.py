"""The timestamp logger (DataLogger, two processes of its own) SIGKILLed mid-session, under
`camd run` and under `camd start`: every saved frame keeps its timestamp, and the session says so."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from processes import logged_entries, logger_processes, wait_until

from recordings import CAMD, decoded_counters, manifest, table

SPEC = "synthetic:?width=160&height=120&fps=30"
CAMERAS = ["--camera", f"a={SPEC}", "--camera", f"b={SPEC}"]
DIED = "timestamp logger (DataLogger) died: "


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "CAMD_RUNTIME_DIR": str(tmp_path / "runtime"), "COLUMNS": "200"}


def camd(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CAMD, *args], capture_output=True, text=True, timeout=120, env=env, check=False)


def assert_every_frame_timed(session: Path, data: dict[str, Any], min_frames: int) -> None:
    for name in "ab":
        entry = data["cameras"][name]
        rows = table(session, name)
        counters = decoded_counters(session / f"{name}.mkv")
        assert counters == rows["camera_frame_id"].tolist() == list(range(len(counters)))
        assert len(counters) == rows["frame_index"].size == entry["frames_in_video"] == entry["frames_written"]
        assert len(counters) >= min_frames
        assert entry["exit_state"] == "stopped" and entry["timestamps_logged"] == entry["frames_written"]


def assert_death_recorded(data: dict[str, Any], stderr: str) -> None:
    assert data["exit_state"] == "stopped"
    assert data["logger"]["alive"] is False
    assert data["logger"]["error"].startswith(DIED)
    assert [warning.startswith(DIED) for warning in data["warnings"]] == [True]
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"camd: warning: {DIED}") and "no timestamp lost" in lines[0]


def test_run_keeps_every_timestamp_when_both_logger_processes_are_killed(tmp_path, env):
    session = tmp_path / "s"
    process = subprocess.Popen(
        [*CAMD, "run", *CAMERAS, "--duration", "3", "--output", str(tmp_path), "--session", "s", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    wait_until(lambda: logged_entries(session) >= 8, what="frames logged by both cameras")
    victims = logger_processes(process.pid)
    assert len(victims) == 2
    for victim in victims:
        victim.kill()
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    data = manifest(session)
    assert_every_frame_timed(session, data, min_frames=75)
    assert_death_recorded(data, stderr)
    assert "killed by SIGKILL" in data["logger"]["error"]


def test_start_status_stop_keep_every_timestamp_when_the_logger_writer_is_killed(tmp_path, env):
    started = camd(env, "start", *CAMERAS, "--output", str(tmp_path), "--session", "s")
    assert started.returncode == 0, started.stderr
    session = Path(started.stdout.strip())
    daemon_pid = int((tmp_path / "runtime" / "default.pid").read_text())
    try:
        wait_until(lambda: logged_entries(session) >= 8, what="frames logged by both cameras")
        writer = logger_processes(daemon_pid)[-1]  # the manager stays: its queue takes batches nobody writes
        writer.kill()

        def status() -> dict[str, Any]:
            result = camd(env, "status", "--json")
            assert result.returncode == 0, result.stderr
            reply: dict[str, Any] = json.loads(result.stdout)
            return reply

        dead = wait_until(lambda: (s := status())["logger_alive"] is False and s, timeout_s=10, what="a dead logger")
        assert dead["logger_error"].startswith(DIED)
        frames = {camera["name"]: camera["frames_written"] for camera in dead["cameras"]}
        table_view = camd(env, "status")
        assert DIED in table_view.stdout
        wait_until(
            lambda: all(c["frames_written"] >= frames[c["name"]] + 30 for c in status()["cameras"]),
            what="a second more of frames after the logger died",
        )
        stopped = camd(env, "stop")
    finally:
        if (tmp_path / "runtime" / "default.pid").exists():
            os.kill(daemon_pid, 9)
    assert stopped.returncode == 0, stderr if (stderr := stopped.stderr) else stopped.stdout
    data = manifest(session)
    assert_every_frame_timed(session, data, min_frames=60)
    assert_death_recorded(data, stopped.stderr)
