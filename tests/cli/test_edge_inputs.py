"""Command-line inputs at the edges: each is refused with one line naming the option and the fix,
before anything is recorded or deleted."""

from __future__ import annotations

import subprocess
from pathlib import Path

from recordings import camd


def _one_line(result: subprocess.CompletedProcess[str], code: int, expected: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == code, result.stderr
    assert len(lines) == 1, result.stderr
    assert expected in lines[0], lines[0]
    return lines[0]


def test_two_cameras_with_one_name_are_refused(tmp_path: Path) -> None:
    cameras = ["--camera", "a=synthetic", "--camera", "a=synthetic:?fps=60"]
    result = camd("run", *cameras, "--output", str(tmp_path), "--duration", "1")
    _one_line(result, 2, "--camera 'a=synthetic:?fps=60': a camera named 'a' is already given")
    assert list(tmp_path.iterdir()) == []


def test_a_camera_option_still_replaces_the_config_files_camera(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[session]\noutput = "{tmp_path}"\nname = "s"\n[[cameras]]\nname = "a"\nfps = 30\n')
    result = camd("run", str(config), "--camera", "a=synthetic:?fps=60", "--check")
    assert result.returncode == 0, result.stderr


def test_session_option_errors_name_the_options_not_the_camera_options(tmp_path: Path) -> None:
    line = _one_line(camd("run", "--camera", "a=synthetic", "--session", "../x", "--output", str(tmp_path)), 2, "")
    assert line.startswith("camd: error: command-line options: field 'session.name':"), line
    config = tmp_path / "c.toml"
    config.write_text('[[cameras]]\nname = "a"\n')
    line = _one_line(camd("run", str(config), "--session", "../x", "--output", str(tmp_path)), 2, "")
    assert line.startswith("camd: error: command-line options: field 'session.name':"), line


def test_a_camera_that_cannot_open_prints_only_camds_line(tmp_path: Path) -> None:
    """OpenCV's native warnings go to the worker's log, not between the user and camd's answer."""
    result = camd("run", "--camera", "a=opencv:99", "--output", str(tmp_path), "--session", "s")
    _one_line(result, 1, "camd: error: camera 'a': OpenCV cannot open '99'")
    log = tmp_path / "s" / "logs" / "a.worker.log"
    assert "99" in log.read_text(), "what the worker's native code printed is kept in its log"
