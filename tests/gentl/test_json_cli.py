"""`--json` on `camd cti show/check` and `camd genicam write/dump/load`, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

VIKY = "serial:1"


def _camd_json(*args: str, cti: Path, config: Path) -> dict[str, Any]:
    env = {**os.environ, "CAMD_CTI": str(cti), "XDG_CONFIG_HOME": str(config), "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "camera_daemon", *args, "--json"], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()  # one JSON object and nothing else on stdout
    data: dict[str, Any] = json.loads(line)
    return data


def test_cti_show_and_check_json(viky: Path, tmp_path: Path) -> None:
    shown = _camd_json("cti", "show", cti=viky, config=tmp_path)
    assert shown["producers"] == [{"path": str(viky), "exists": True}]
    assert "CAMD_CTI" in shown["origin"]
    checked = _camd_json("cti", "check", cti=viky, config=tmp_path)
    assert checked["loaded"] == 1
    (producer,) = checked["producers"]
    assert producer["ok"] is True and producer["error"] is None
    assert len(producer["devices"]) == 3 and {d["serial"] for d in producer["devices"]} >= {"1"}


def test_genicam_write_dump_load_json(viky: Path, tmp_path: Path) -> None:
    written = _camd_json("genicam", "write", VIKY, "Width=320", "AcquisitionFrameRate=12.5", cti=viky, config=tmp_path)
    # what the camera made of each request, not what was asked
    assert written == {"selector": VIKY, "written": {"Width": 320, "AcquisitionFrameRate": 13.0}}
    saved = tmp_path / "viky.toml"
    dumped = _camd_json("genicam", "dump", VIKY, str(saved), cti=viky, config=tmp_path)
    assert dumped["file"] == str(saved) and saved.is_file()
    assert dumped["camera"]["serial"] == "1" and dumped["features"] > 5
    # every connection starts from the defaults: a saved width that differs is one the load must write
    saved.write_text(saved.read_text().replace("\nWidth = 400\n", "\nWidth = 240\n"))
    loaded = _camd_json("genicam", "load", VIKY, str(saved), cti=viky, config=tmp_path)
    assert loaded == {
        "file": str(saved),
        "camera": dumped["camera"],
        "written": ["Width"],
        "skipped": loaded["skipped"],
    }
