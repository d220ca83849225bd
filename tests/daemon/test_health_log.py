"""A recording says how close it ran to its limits: health rows each second, lateness and the ring's
peak in the manifest; the noise scene costs x264 what a real sensor does, its frame code still reads."""

from __future__ import annotations

import csv
import itertools
import os
from pathlib import Path
from typing import Any

import pytest

from camera_daemon.daemon.health import COLUMNS

from recordings import decoded_counters, record_session, table

SECONDS = 3


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    cameras = [
        {"name": "flat", "fps": 30, "width": 640, "height": 480, "scene": "texture"},
        {"name": "noisy", "fps": 30, "width": 640, "height": 480, "scene": "noise"},
    ]
    return record_session(tmp_path_factory.mktemp("health"), cameras, session={"duration_s": SECONDS})


def rows(session: Path, camera: str) -> list[dict[str, str]]:
    with (session / "logs" / f"{camera}.health.csv").open() as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


@pytest.mark.parametrize("camera", ["flat", "noisy"])
def test_one_health_row_a_second_with_plausible_values(recorded, camera: str) -> None:
    session, result = recorded
    entry = result["cameras"][camera]
    health = rows(session, camera)
    assert SECONDS - 1 <= len(health) <= SECONDS + 1, health
    times = [int(row["host_time_us"]) for row in health]
    assert all(0.8e6 < later - earlier < 1.2e6 for earlier, later in itertools.pairwise(times)), times
    logged = table(session, camera)["host_time_us"]  # the same clock as the frames' own host times
    assert all(logged[0] - 1.5e6 < t < logged[-1] + 1.5e6 for t in times), (times, logged[0], logged[-1])
    frames = [int(row["frames"]) for row in health]
    assert frames == sorted(frames) and 0 < frames[-1] <= entry["frames_in_video"]
    for row in health[1:]:  # the first row's second may include the camera's start
        assert 20 <= float(row["fps"]) <= 40, row
    for row in health:
        assert int(row["ring_capacity"]) == entry["ring_capacity"]
        assert 0 <= int(row["ring_depth"]) <= int(row["ring_high_water"]) <= entry["ring_high_water"]
        assert 0 <= int(row["lateness_us"]) <= entry["lateness_max_us"]
        assert row["encoder_alive"] == "1" and row["drops"] == "0"
        assert 0 < float(row["cpu_worker_pct"]) <= 200 and 0 < float(row["cpu_ffmpeg_pct"]) <= 200, row


def test_manifest_says_how_late_and_how_full(recorded) -> None:
    _, result = recorded
    for entry in result["cameras"].values():
        assert 1 <= entry["ring_high_water"] <= entry["ring_capacity"]
        assert entry["lateness_max_us"] > 0  # a frame takes some time from grab to ffmpeg, never none
        assert entry["schedule_lag_max_us"] >= 0


def test_noise_scene_costs_like_a_sensor_and_keeps_its_frame_code(recorded) -> None:
    session, _ = recorded
    per_frame = {
        name: (session / f"{name}.mkv").stat().st_size / table(session, name)["frame_index"].size
        for name in ("flat", "noisy")
    }
    assert per_frame["noisy"] > 5 * per_frame["flat"], per_frame
    counters = decoded_counters(session / "noisy.mkv")
    assert counters == list(range(len(counters))) and len(counters) >= 60


def test_an_encoder_started_after_the_baseline_still_gets_a_cpu_share(tmp_path: Path) -> None:
    """ffmpeg's pid is published after the health log's baseline on a slow machine; that row's share
    must come from the process's own life, not stay blank."""
    import subprocess
    import sys
    import time

    import numpy as np

    from camera_daemon.daemon.health import _Camera
    from camera_daemon.daemon.status import Field

    row = np.zeros(max(Field) + 1)
    row[Field.pid], row[Field.onset_utc_us] = os.getpid(), 1
    camera = _Camera("late", row, tmp_path)
    assert camera.sample(time.monotonic()) is None  # the baseline, with no encoder yet
    spin = (
        "import sys, time\nend = time.time() + 0.6\nwhile time.time() < end: pass\n"
        "print('spun', flush=True)\nsys.stdin.read()"
    )
    busy = subprocess.Popen([sys.executable, "-c", spin], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        row[Field.encoder_pid] = busy.pid
        assert busy.stdout is not None and busy.stdout.readline() == "spun\n"  # its CPU is spent, it still lives
        cells = camera.sample(time.monotonic() + 0.5)
        assert cells is not None
        ffmpeg_share = float(cells[COLUMNS.index("cpu_ffmpeg_pct")])
        assert 20.0 < ffmpeg_share <= 200.0, cells
    finally:
        busy.kill()
