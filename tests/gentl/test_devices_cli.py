"""`camd devices` lists what the configured producers offer, with sizes and pixel formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from camera_daemon.gentl.cli import devices

app = typer.Typer()
app.command("devices")(devices)
app.command("unused")(lambda: None)  # two commands, so typer keeps the command name


def test_devices_json_lists_every_producer_device(producers: tuple[Path, Path]) -> None:
    # A real process: the JSON must be alone on stdout although the producers print to stderr.
    code = "import typer; from camera_daemon.gentl.cli import devices; typer.run(devices)"
    result = subprocess.run(
        [sys.executable, "-c", code, "--json"], capture_output=True, text=True, timeout=120, env=os.environ.copy()
    )
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    assert isinstance(listing["opencv"], list)
    by_serial = {row["serial"]: row for row in listing["genicam"]}
    assert set(by_serial) == {"0", "1", "2", "SN_InterfaceA_0", "SN_InterfaceA_1", "SN_InterfaceB_0", "SN_InterfaceB_1"}
    mono = by_serial["SN_InterfaceA_0"]
    assert (mono["vendor"], mono["model"], mono["tl_type"]) == ("EMVA_D", "TLSimuMono", "Custom")
    assert (mono["width"], mono["height"], mono["pixel_format"]) == (512, 512, "Mono8")
    assert "BayerRG8" in mono["pixel_formats"]
    viky = by_serial["1"]
    assert (viky["model"], viky["width"], viky["height"], viky["pixel_format"]) == ("Viky", 400, 400, "RGBa8")
    assert viky["pixel_formats"] == ["RGBa8", "Mono8"]
    assert all(row["error"] is None for row in listing["genicam"])
    assert {Path(row["producer"]) for row in listing["genicam"]} == set(producers)


def test_devices_text_names_each_device(producers: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(app, ["devices"])
    assert result.exit_code == 0, result.output
    assert "GenICam: 7 device(s)" in result.output
    assert "TLSimuColor serial:SN_InterfaceA_1 (Custom) 768x572 RGB8" in result.output


def test_devices_without_producers_still_lists_opencv(user_config: Path) -> None:
    result = CliRunner().invoke(app, ["devices", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["genicam"] == []
