"""One process per camera already uses every core: each worker and its encoder start with the
numeric libraries pinned to one thread, so N cameras do not run N x cores threads."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from processes import wait_until

from camera_daemon.threads import THREAD_VARIABLES

from recordings import CAMD


def camd(*args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in THREAD_VARIABLES}
    return subprocess.run([*CAMD, *args], capture_output=True, text=True, timeout=120, env=env)


def environ(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(pair.decode().split("=", 1) for pair in pairs if b"=" in pair)


def test_workers_and_their_encoders_inherit_the_thread_limits(tmp_path: Path, runtime: Path) -> None:
    started = camd(
        "start", "--camera", "a=synthetic:?width=160&height=120", "--output", str(tmp_path), "--session", "s"
    )
    assert started.returncode == 0, started.stderr
    try:
        camera = wait_until(
            lambda: (c := json.loads(camd("status", "--json").stdout)["cameras"][0])["encoder_pid"] > 0 and c,
            what="the worker's encoder",
        )
        for pid in (camera["pid"], camera["encoder_pid"]):
            values = environ(pid)
            assert {name: values.get(name) for name in THREAD_VARIABLES} == dict.fromkeys(THREAD_VARIABLES, "1")
    finally:
        assert camd("stop").returncode == 0
