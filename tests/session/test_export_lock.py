"""`camd timestamps` reads a session only once nothing records into it."""

from __future__ import annotations

from pathlib import Path

from recordings import camd

CAMERA = ["--camera", "a=synthetic:?width=96&height=64"]


def test_timestamps_refuses_a_live_session_then_exports_it_once_stopped(tmp_path: Path, runtime: Path) -> None:
    started = camd("start", *CAMERA, "--output", str(tmp_path), "--session", "live")
    assert started.returncode == 0, started.stderr
    session = Path(started.stdout.strip())

    refused = camd("timestamps", str(session), "--format", "parquet")
    lines = refused.stderr.strip().splitlines()
    assert refused.returncode == 3 and len(lines) == 1, refused.stderr
    assert lines[0].startswith(f"camd: error: session {session} is being recorded by pid "), lines[0]
    assert not (session / "a.timestamps.csv").exists() and not (session / "a.timestamps.parquet").exists()

    assert camd("stop").returncode == 0
    exported = camd("timestamps", str(session), "--format", "parquet")
    assert exported.returncode == 0, exported.stderr
    assert (session / "a.timestamps.parquet").stat().st_size > 0


def test_stitch_refuses_a_live_session_as_being_recorded(tmp_path: Path, runtime: Path) -> None:
    started = camd("start", *CAMERA, "--output", str(tmp_path), "--session", "live")
    assert started.returncode == 0, started.stderr
    session = Path(started.stdout.strip())

    refused = camd("stitch", str(session), "--quiet")
    lines = refused.stderr.strip().splitlines()
    assert refused.returncode == 3 and len(lines) == 1, refused.stderr
    assert lines[0].startswith(f"camd: error: session {session} is being recorded by pid "), lines[0]
    assert lines[0].endswith("; stop it first (camd stop)"), lines[0]
    assert not (session / "post").exists()
    assert camd("stop").returncode == 0
