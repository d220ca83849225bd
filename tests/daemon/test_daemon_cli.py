"""The background daemon driven the way a rig drives it: separate `camd` processes for each step."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
from processes import wait_until as wait_for

from recordings import CAMD, decoded_counters, manifest, table

CAMERAS = ["--camera", "a=synthetic:?width=160&height=120", "--camera", "b=synthetic:?width=160&height=120"]
CAMERAS += ["--camera", "c=synthetic:?width=160&height=120&fps=25"]


def camd(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CAMD, *args], capture_output=True, text=True, timeout=timeout, env=dict(os.environ))


def status(name: str = "default") -> dict[str, Any]:
    result = camd("status", "--json", "--name", name)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def by_camera(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {camera["name"]: camera for camera in data["cameras"]}


def start(tmp_path: Path, *extra: str) -> Path:
    result = camd("start", *CAMERAS, "--output", str(tmp_path / "out"), "--session", "s", *extra)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip())


def test_start_status_pause_resume_stop(tmp_path, runtime):
    session = start(tmp_path)
    assert stat.S_IMODE((runtime / "default.sock").stat().st_mode) == 0o600
    first = by_camera(status())
    assert all(camera["frames_written"] > 0 for camera in first.values())
    second = wait_for(lambda: (s := by_camera(status()))["a"]["frames_written"] > first["a"]["frames_written"] and s)
    assert all(second[name]["frames_written"] > first[name]["frames_written"] for name in "abc")
    assert camd("pause").stdout.strip() == "paused"
    paused = by_camera(status())
    wait_for(lambda: by_camera(status())["a"]["frames_acquired"] >= paused["a"]["frames_acquired"] + 20)
    assert by_camera(status())["a"]["frames_written"] == paused["a"]["frames_written"]
    assert camd("resume").stdout.strip() == "recording"
    resumed = by_camera(status())
    wait_for(lambda: by_camera(status())["a"]["frames_written"] >= resumed["a"]["frames_written"] + 15)
    result = camd("stop")
    assert result.returncode == 0, result.stderr
    data = manifest(session)
    assert data["exit_state"] == "stopped"
    for name in "abc":
        rows = table(session, name)
        assert len(decoded_counters(session / f"{name}.mkv")) == rows["frame_index"].size
        assert data["cameras"][name]["frames_in_video"] == data["cameras"][name]["timestamps_logged"]
        gaps_s = np.diff(rows["host_time_us"]) / 1e6
        assert gaps_s.max() > 0.5, "the pause must show as a gap in host times"
        assert np.sum(gaps_s > 0.2) == 1
    assert not (runtime / "default.sock").exists() and not (runtime / "default.pid").exists()
    assert camd("status").returncode != 0
    # The ids the camera counted while paused were skipped on purpose: QC must not call them lost.
    checked = json.loads(camd("qc", str(session), "--json").stdout)[0]["checks"]
    for result in (r for r in checked if r["check"] == "frame_ids"):
        assert data["cameras"][result["camera"]]["paused_frames"] > 0
        assert result["verdict"] == "PASS", result


def test_killed_worker_is_reported_within_a_second_and_others_keep_recording(tmp_path, runtime):
    session = start(tmp_path)
    cameras = by_camera(status())
    os.kill(cameras["b"]["pid"], signal.SIGKILL)
    killed_at = time.monotonic()
    wait_for(lambda: by_camera(status())["b"]["state"] == "failed", timeout_s=5)
    assert time.monotonic() - killed_at < 1.0
    after = by_camera(status())
    wait_for(lambda: by_camera(status())["a"]["frames_written"] > after["a"]["frames_written"] + 10)
    result = camd("stop")
    assert result.returncode == 1
    assert "b" in result.stderr.splitlines()[-1] and "failed" in result.stderr
    data = manifest(session)
    assert data["cameras"]["b"]["exit_state"] == "failed"
    for name in "ac":
        entry = data["cameras"][name]
        assert entry["exit_state"] == "stopped"
        assert decoded_counters(session / f"{name}.mkv") == list(range(entry["frames_in_video"]))
        assert entry["frames_in_video"] == entry["timestamps_logged"]


def test_sigterm_is_a_clean_stop(tmp_path, runtime):
    session = start(tmp_path)
    pid = status()["pid"]
    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not (runtime / "default.pid").exists(), timeout_s=60)
    data = manifest(session)
    assert data["exit_state"] == "stopped"
    for name in "abc":
        entry = data["cameras"][name]
        assert entry["frames_in_video"] == entry["timestamps_logged"] > 0
        assert len(decoded_counters(session / f"{name}.mkv")) == entry["frames_in_video"]


def _raw(sock_path: Path, payload: bytes) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(10)
        client.connect(str(sock_path))
        client.sendall(payload)
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = client.recv(65536)
            if not chunk:
                break
            reply += chunk
    data: dict[str, Any] = json.loads(reply)
    return data


def test_garbage_on_the_socket_gets_error_replies_and_recording_goes_on(tmp_path, runtime):
    start(tmp_path)
    sock = runtime / "default.sock"
    before = by_camera(status())["a"]["frames_written"]
    rng = np.random.default_rng(3)
    cases = [
        bytes(rng.integers(0, 256, 300, dtype=np.uint8)).replace(b"\n", b"") + b"\n",
        b"x" * (1 << 20) + b"\n",
        b'{"v": 99, "cmd": "status"}\n',
        b'{"v": 1, "cmd": "explode"}\n',
        b"[1, 2, 3]\n",
    ]
    for payload in cases:
        reply = _raw(sock, payload)
        assert reply["ok"] is False and reply["error"]
    wait_for(lambda: by_camera(status())["a"]["frames_written"] > before + 10)
    assert camd("stop").returncode == 0


def test_second_start_is_refused_unless_named_differently_and_stale_files_are_cleaned(tmp_path, runtime):
    start(tmp_path)
    again = camd("start", *CAMERAS, "--output", str(tmp_path / "out"), "--session", "t")
    assert again.returncode == 1 and "already recording" in again.stderr
    other = camd("start", "--camera", "z=synthetic:?width=64&height=48", "--name", "other", "--output", str(tmp_path))
    assert other.returncode == 0, other.stderr
    assert camd("stop", "--name", "other").returncode == 0
    assert camd("stop").returncode == 0
    # a crashed daemon leaves a PID file of a dead process and a socket nobody serves
    (runtime / "default.pid").write_text("999999\n")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as orphan:
        orphan.bind(str(runtime / "default.sock"))
    session = start(tmp_path, "--force")
    assert status()["session"] == str(session)
    assert camd("stop").returncode == 0


def test_start_failure_leaves_no_process_behind(tmp_path, runtime):
    result = camd("start", "--camera", f"x=opencv:{tmp_path / 'none.mp4'}", "--output", str(tmp_path))
    assert result.returncode == 1 and "cannot open" in result.stderr
    assert not (runtime / "default.pid").exists()
    logs = camd("logs", "--session", str(next((tmp_path).glob("*T*Z"))))
    assert "start failed" in logs.stdout


def test_logs_follow_ends_when_the_daemon_ends(tmp_path, runtime):
    start(tmp_path, "--duration", "1.5")
    follow = camd("logs", "-f", timeout=120)
    assert follow.returncode == 0
    assert "recording" in follow.stdout and "stopped: stopped" in follow.stdout


def test_stop_refuses_a_timeout_that_is_not_positive_and_sends_nothing(tmp_path, runtime):
    session = start(tmp_path)
    for value in ("-1", "0"):
        result = camd("stop", "--timeout", value)
        assert result.returncode == 2, result.stderr
        assert result.stderr.splitlines() == [
            f"camd: error: --timeout {value}: give the seconds to wait for final files, more than 0"
        ]
    assert status()["session"] == str(session)  # still recording: nothing was sent
    assert camd("stop").returncode == 0
    assert manifest(session)["exit_state"] == "stopped"
