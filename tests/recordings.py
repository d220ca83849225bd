"""Helpers the tests share: record a session in-process or through the CLI, and decode what was saved."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np

from camera_daemon.cameras.framecode import read_counter
from camera_daemon.config import SessionConfig, parse_config
from camera_daemon.recording import record
from camera_daemon.timing.table import read_csv

CAMD = [sys.executable, "-m", "camera_daemon"]


def session_config(tmp_path: Path, cameras: list[dict[str, Any]], **sections: Any) -> SessionConfig:
    data: dict[str, Any] = {"cameras": cameras, "session": {"output": str(tmp_path), "name": "s"}}
    for key, value in sections.items():
        data[key] = {**data.get(key, {}), **value}
    return parse_config(data)


def record_session(tmp_path: Path, cameras: list[dict[str, Any]], **sections: Any) -> tuple[Path, dict[str, Any]]:
    return record(session_config(tmp_path, cameras, **sections))


def camd(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([*CAMD, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False)


def iter_frames(video: Path, fmt: str = "gray") -> Iterator[np.ndarray]:  # type: ignore[type-arg]
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            yield frame.to_ndarray(format=fmt)


def decoded_counters(video: Path) -> list[int]:
    return [read_counter(image) for image in iter_frames(video)]


def frame_times_s(video: Path) -> list[float]:
    with av.open(str(video)) as container:
        return [float(frame.pts * frame.time_base) for frame in container.decode(video=0)]


def table(session: Path, camera: str) -> dict[str, np.ndarray]:  # type: ignore[type-arg]
    return read_csv(session / f"{camera}.timestamps.csv")


def manifest(session: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((session / "manifest.json").read_text())
    return data


def checksummed_manifest(session: Path, timeout_s: float = 30.0) -> dict[str, Any]:
    """The manifest once the checksums a stop leaves pending are filled in (session/checksums.py)."""
    deadline = time.monotonic() + timeout_s
    while True:
        data = manifest(session)
        if all(entry.get("sha256") != "pending" for entry in data["cameras"].values()):
            return data
        if time.monotonic() > deadline:
            raise AssertionError(f"{session}: checksums still pending after {timeout_s:g} s")
        time.sleep(0.05)
