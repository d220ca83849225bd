"""`--duration S` holds S seconds of frames, counted from the session's first saved frame rather
than from the moment the slowest camera was ready."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from processes import wait_until

from recordings import camd, table

FPS = 30.0
TOLERANCE_S = 0.05


@pytest.mark.parametrize("duration", [1.0, 2.0])
def test_frames_span_the_duration(tmp_path: Path, duration: float) -> None:
    result = camd(
        "run", "--camera", "a=synthetic", "--camera", "b=opencv:" + str(_clip(tmp_path)) + "?realtime=1",
        "--duration", f"{duration:g}", "--output", str(tmp_path), "--session", "s", "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    times = [table(tmp_path / "s", name)["utc_time_us"] for name in ("a", "b")]
    first = min(int(column[0]) for column in times)
    last = max(int(column[-1]) for column in times)
    span = (last - first) / 1e6
    assert duration - 1 / FPS - TOLERANCE_S <= span <= duration + 1 / FPS + TOLERANCE_S, span


def _clip(tmp_path: Path) -> Path:
    """A file camera opens slower than a synthetic one: the clock must not wait for it."""
    clip = tmp_path / "clip.mkv"
    result = camd("run", "--camera", "c=synthetic", "--duration", "4", "--output", str(tmp_path), "--session", "clip")
    assert result.returncode == 0, result.stderr
    (tmp_path / "clip" / "c.mkv").rename(clip)
    return clip


def test_a_daemon_session_holds_the_duration_too(tmp_path: Path, runtime: Path) -> None:

    result = camd("start", "--camera", "a=synthetic", "--duration", "1", "--output", str(tmp_path), "--session", "d")
    assert result.returncode == 0, result.stderr
    manifest = tmp_path / "d" / "manifest.json"
    wait_until(lambda: json.loads(manifest.read_text())["exit_state"] == "stopped", what="the daemon's own stop")
    column = table(tmp_path / "d", "a")["utc_time_us"]
    span = (int(column[-1]) - int(column[0])) / 1e6
    assert 1.0 - 1 / FPS - TOLERANCE_S <= span <= 1.0 + 1 / FPS + TOLERANCE_S, span
    assert camd("stop").returncode in (0, 1)  # collects the finished daemon if it still waits
