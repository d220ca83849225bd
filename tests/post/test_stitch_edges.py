"""`camd stitch` at its edges, through the real CLI: bad option values are usage errors (exit 2),
and --force removes each earlier output once, never through a link."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sessions import Recorded

CAMD = [sys.executable, "-m", "camera_daemon"]


def _stitch(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    command = [*CAMD, "stitch", str(folder), "-q", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)


def _one_line(result: subprocess.CompletedProcess[str], code: int, expected: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == code, result.stderr
    assert len(lines) == 1 and expected in lines[0], result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--mode", "bogus"], "--mode 'bogus' is unknown; use one of mosaic, best, concat"),
        (["--missing", "x"], "--missing 'x' is unknown; use one of"),
        (["--trim", "5:1"], "--trim / [post] trim '5:1': stop must come after start"),
        (["--reference", "nope"], "--reference / [post] reference 'nope' is neither a camera"),
    ],
)
def test_bad_option_values_are_usage_errors(
    three_cameras: tuple[Path, dict[str, Recorded]], args: list[str], expected: str
) -> None:
    folder, _ = three_cameras
    _one_line(_stitch(folder, *args), 2, expected)
    assert not (folder / "post" / "mosaic.mkv").exists()


def test_force_removes_a_leftover_partial_once(three_cameras: tuple[Path, dict[str, Recorded]]) -> None:
    folder, _ = three_cameras
    assert _stitch(folder).returncode == 0
    (folder / "post" / "mosaic.mkv.partial").write_bytes(b"left by an interrupted run")
    result = _stitch(folder, "--force")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert not (folder / "post" / "mosaic.mkv.partial").exists()
    assert (folder / "post" / "mosaic.mkv").stat().st_size > 0


def test_force_unlinks_a_link_and_keeps_what_it_points_to(
    three_cameras: tuple[Path, dict[str, Recorded]], tmp_path: Path
) -> None:
    folder, _ = three_cameras
    assert _stitch(folder).returncode == 0
    elsewhere = tmp_path / "precious"
    elsewhere.mkdir()
    (elsewhere / "keep.png").write_bytes(b"not the session's")
    plots = folder / "post" / "plots"
    for child in plots.iterdir():
        child.unlink()
    plots.rmdir()
    plots.symlink_to(elsewhere, target_is_directory=True)
    result = _stitch(folder, "--force")
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "keep.png").read_bytes() == b"not the session's"
    assert list(elsewhere.iterdir()) == [elsewhere / "keep.png"]
    assert plots.is_dir() and not plots.is_symlink()
