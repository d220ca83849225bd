"""A run that fails before any frame is recorded: what it leaves, and that it blocks nothing.

An encoder that cannot run is found before the folder exists, so nothing is left. A camera that
does not open leaves its folder: the manifest says in one line why it holds no recording, the logs
keep the camera library's own words, and running again under the same name needs no --force.
"""

from __future__ import annotations

import json
from pathlib import Path

from recordings import camd

OPEN_ERROR = "camera 'x': OpenCV cannot open '7'; check the device index, path or URL (camd devices lists devices)"


def test_a_camera_that_does_not_open_leaves_a_folder_saying_why(tmp_path: Path) -> None:
    args = ("run", "--camera", "x=opencv:7", "--output", str(tmp_path), "--session", "s", "--duration", "1")
    result = camd(*args)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"camd: error: {OPEN_ERROR}"]  # OpenCV's own lines went to the log
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["exit_state"] == "failed"
    assert manifest["error"] == f"nothing recorded: {OPEN_ERROR}"
    assert manifest["cameras"]["x"]["frames_written"] == 0
    assert "can't open camera by index" in (tmp_path / "s" / "logs" / "x.worker.log").read_text()
    again = camd(*args)  # no --force: the folder holds no recording to protect
    assert again.returncode == 1 and again.stderr.splitlines() == [f"camd: error: {OPEN_ERROR}"]


def test_an_encoder_that_cannot_run_leaves_nothing(tmp_path: Path) -> None:
    config = tmp_path / "nvenc.toml"
    config.write_text('[encoder]\nhardware = "nvenc"\n[[cameras]]\nname = "x"\nbackend = "synthetic"\n')
    result = camd("run", str(config), "--output", str(tmp_path / "rec"), "--duration", "1")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "nvenc" in result.stderr, result.stderr
    assert not (tmp_path / "rec").exists() or not any((tmp_path / "rec").iterdir())
