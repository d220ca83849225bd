"""``camd status`` answers from the standard library, and prints exactly what the rich path prints."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from camera_daemon.daemon import commands
from camera_daemon.daemon.status_text import render_status

FULL_CLI = [sys.executable, "-c", "import sys; sys.argv[0] = 'camd'; from camera_daemon.cli import main; main()"]
FAST_CLI = [sys.executable, "-m", "camera_daemon"]


def camera(name: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": name, "state": "recording", "fps_current": 29.97, "fps_mean": 30.01, "frames_written": 1234,
        "frames_acquired": 1236, "timestamps_logged": 1200, "drops_buffer": 0, "drops_frame_id_gap": 2,
        "ring_depth": 3, "ring_capacity": 61, "encoder_alive": True, "seconds_recorded": 41.2, "paused": False,
        "pid": 10, "encoder_pid": 11, "drops_missed_trigger": 1, "drops_incomplete": 0, "drops_unsaved": 0,
        "drops_total": 3, "ring_high_water": 9, "lateness_max_us": 45_678, "schedule_lag_max_us": 1_200,
    }  # fmt: skip
    row.update(changes)
    return row


def reply(cameras: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "session": "/data/recordings/2026-11-24T03-30-00Z",
        "state": "recording",
        "cameras": cameras,
        "logger_alive": True,
        "logger_error": None,
        "disk_free_bytes": 52 << 30,
        "disk_seconds_left": 7300.0,
    }
    data.update(changes)
    return data


REPLIES = {
    "two cameras": reply([camera("left"), camera("right-wide-angle", paused=True, state="recording")]),
    "no disk line": reply([camera("a")], disk_free_bytes=None),
    "logger died": reply([camera("a")], logger_alive=False, logger_error="timestamp logger died [exit 9]"),
    "no cameras yet": reply([], state="starting"),
    "brackets in path": reply([camera("a")], session="/data/[x] rec"),
}


def rich_text(data: dict[str, Any], terminal: bool, width: int, monkeypatch: pytest.MonkeyPatch) -> str:
    buffer = io.StringIO()
    monkeypatch.setattr(commands, "console", Console(file=buffer, force_terminal=terminal, width=width))
    commands.print_status(data)
    return buffer.getvalue()


@pytest.mark.parametrize("case", REPLIES)
@pytest.mark.parametrize("terminal", [False, True])
def test_plain_drawing_matches_rich_character_for_character(case: str, terminal: bool, monkeypatch) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "JUPYTER_COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    fast = render_status(REPLIES[case], terminal)
    assert fast is not None
    for width in (40, 80, 200):  # never wrapped: a pipe's 80 columns and a wide terminal print the same
        assert fast == rich_text(REPLIES[case], terminal, width, monkeypatch)


def test_cases_only_rich_draws_right_are_left_to_it() -> None:
    long_title = reply([camera("a")], session="/data/" + "x" * 200)
    wide_characters = reply([camera("カメラ")])
    assert render_status(long_title, False) is None
    assert render_status(wide_characters, False) is None


@contextmanager
def fixed_daemon(folder: Path, name: str, answer: dict[str, Any]) -> Iterator[None]:
    """A socket that answers every request with one fixed status reply, where camd looks for a
    daemon: a live recorder's numbers change between two calls, these do not."""
    folder.mkdir(mode=0o700, exist_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(folder / f"{name}.sock"))
    listener.listen(8)

    def serve() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with client:
                client.recv(4096)
                client.sendall((json.dumps({"v": 1, "ok": True, **answer}) + "\n").encode())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        listener.close()


def run(command: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("FORCE_COLOR", "NO_COLOR", "COLUMNS")}
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=60, env=env)


def test_fast_and_full_command_print_the_same(runtime: Path) -> None:
    answer = REPLIES["logger died"] | {"cameras": REPLIES["two cameras"]["cameras"]}
    with fixed_daemon(runtime, "rig2", answer):
        for args in (["status", "--name", "rig2"], ["status", "--json", "-n", "rig2"], ["status", "--name=rig2"]):
            fast, full = run(FAST_CLI, *args), run(FULL_CLI, *args)
            assert (fast.returncode, fast.stderr) == (full.returncode, full.stderr) == (0, "")
            assert fast.stdout == full.stdout
        assert json.loads(run(FAST_CLI, "status", "--json", "-n", "rig2").stdout)["cameras"][1]["ring_high_water"] == 9
        timed = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "camera_daemon", "status", "-n", "rig2"],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
    imported = {line.split("|")[-1].strip().split(".")[0] for line in timed.stderr.splitlines() if "|" in line}
    assert not imported & {"typer", "click", "rich", "pydantic", "numpy"}, imported


def test_no_daemon_reports_the_same_one_line(runtime: Path) -> None:
    fast, full = run(FAST_CLI, "status", "--name", "nobody"), run(FULL_CLI, "status", "--name", "nobody")
    assert fast.returncode == full.returncode == 1
    assert fast.stderr == full.stderr and fast.stderr.startswith("camd: error: no daemon answers at ")
    assert fast.stderr.count("\n") == 1
    bad = run(FAST_CLI, "status", "--name", "bad/name")
    assert bad.returncode == 2 and bad.stderr.startswith("camd: error: --name 'bad/name': use letters")
    assert bad.stderr == run(FULL_CLI, "status", "--name", "bad/name").stderr
