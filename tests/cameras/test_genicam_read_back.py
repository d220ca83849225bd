"""Settings are honoured or refused: what a GenICam camera really sends is read back after configuring.

TLSimu accepts any PixelFormat write and keeps sending Mono8 (its mono devices), and it has no
frame-rate node: a real producer on which a requested format and rate are unavailable.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recordings import camd

MONO = "genicam:SN_InterfaceA_0"


def _run(tmp_path: Path, spec: str) -> tuple[int, list[str], Path]:
    output = ("--output", str(tmp_path), "--session", "s", "--quiet")
    result = camd("run", "--camera", f"m={spec}", "--duration", "1", *output)
    return result.returncode, result.stderr.splitlines(), tmp_path / "s" / "manifest.json"


@pytest.mark.parametrize("asked", ["Mono12", "BayerRG8"])
def test_a_format_the_camera_does_not_send_is_refused_naming_both(
    genicam_producers: None, tmp_path: Path, asked: str
) -> None:
    code, lines, manifest = _run(tmp_path, f"{MONO}?pixel_format={asked}")
    assert code == 1
    assert lines == [
        f"camd: error: camera 'm' was set to PixelFormat {asked} but sends Mono8; "
        'use pixel_format = "Mono8", or "auto" to record what it sends'
    ]
    assert json.loads(manifest.read_text())["cameras"]["m"]["frames_written"] == 0


def test_auto_records_what_came_and_names_it(genicam_producers: None, tmp_path: Path) -> None:
    code, lines, manifest = _run(tmp_path, f"{MONO}?pixel_format=auto")
    assert code == 0, lines
    entry = json.loads(manifest.read_text())["cameras"]["m"]
    assert (entry["camera_pixel_format"], entry["pixel_format"]) == ("Mono8", "mono8")
    assert entry["frames_written"] > 0


def test_a_rate_the_camera_ignores_is_stored_as_it_is_and_warned(genicam_producers: None, tmp_path: Path) -> None:
    code, lines, manifest = _run(tmp_path, f"{MONO}?fps=30")
    data = json.loads(manifest.read_text())
    entry = data["cameras"]["m"]
    assert code == 0, lines
    assert entry["nominal_fps"] > 60, entry  # TLSimu free-runs near 180 fps whatever was asked
    assert entry["frames_written"] > 60
    warning = next(text for text in data["warnings"] if "fps, not the 30 asked" in text)
    assert lines == [f"camd: warning: {warning}"]
