"""`camd genicam read/write/dump/load`, and the settings round trip they are built on.

Both simulators start every new connection from their defaults, so what one command writes is
gone for the next; the round trip is therefore also checked inside one connection.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from camera_daemon.errors import CameraError, ConfigError
from camera_daemon.gentl import nodes, settings
from camera_daemon.gentl.cli import genicam_app
from camera_daemon.gentl.devices import opened_device

app = typer.Typer()
app.add_typer(genicam_app, name="genicam")
runner = CliRunner()
TLSIMU = "serial:SN_InterfaceA_0"


def test_read_prints_values(producers: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["genicam", "read", TLSIMU, "Width", "PixelFormat", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"Width": 512, "PixelFormat": "Mono8"}


def test_write_prints_what_the_camera_reads_back(producers: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["genicam", "write", "serial:1", "Width=320", "AcquisitionFrameRate=12.5"])
    assert result.exit_code == 0, result.output
    # viky keeps whole frame rates: the output is what the camera made of the request
    assert result.output.splitlines() == ["Width = 320", "AcquisitionFrameRate = 13.0"]


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("Width=510", "feature 'Width'"),  # not a multiple of TLSimu's increment of 4
        ("Width=wide", "takes an integer"),
        ("PixelFormat=Mono9", "has no entry 'Mono9'"),
        ("Exposure=5", "no feature 'Exposure'"),
        ("Width", "is not NODE=VALUE"),
    ],
)
def test_write_errors_name_the_feature(producers: tuple[Path, Path], assignment: str, message: str) -> None:
    result = runner.invoke(app, ["genicam", "write", TLSIMU, assignment])
    assert isinstance(result.exception, CameraError | ConfigError)
    assert message in str(result.exception)


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_dump_writes_model_serial_and_features(producers: tuple[Path, Path], tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"viky{suffix}"
    result = runner.invoke(app, ["genicam", "dump", "serial:2", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text()
    data = json.loads(text) if suffix == ".json" else tomllib.loads(text)
    assert data["camera"] == {"vendor": "Machine Vision Games Ltd.", "model": "Viky", "serial": "2"}
    assert data["features"]["Width"] == 400
    assert data["features"]["PixelFormat"] == "RGBa8"
    assert data["features"]["AcquisitionFrameRate"] == 20.0
    assert "TLParamsLocked" not in data["features"]


def test_dump_then_load_restores_the_values(producers: tuple[Path, Path], tmp_path: Path) -> None:
    saved = tmp_path / "viky.toml"
    with opened_device(producers, "serial:1") as (entry, acquirer):
        node_map = acquirer.remote_device.node_map
        nodes.write_named(node_map, "Width", 640)
        nodes.write_named(node_map, "BouncingBallSize", 37)
        settings.dump(node_map, entry, saved)
        nodes.write_named(node_map, "Width", 200)
        nodes.write_named(node_map, "BouncingBallSize", 20)
        camera, features = settings.parse(saved)
        settings.check_camera(saved, camera, entry)
        report = settings.apply(node_map, features)
        assert set(report.written) == {"Width", "BouncingBallSize"}
        assert nodes.read_named(node_map, "Width") == 640
        assert nodes.read_named(node_map, "BouncingBallSize") == 37


def test_load_writes_the_file_through_the_command(producers: tuple[Path, Path], tmp_path: Path) -> None:
    saved = tmp_path / "viky.json"
    runner.invoke(app, ["genicam", "dump", "serial:1", str(saved)])
    data = json.loads(saved.read_text())
    data["features"]["Width"] = 480
    data["features"]["PixelFormat"] = "Mono8"
    saved.write_text(json.dumps(data))
    result = runner.invoke(app, ["genicam", "load", "serial:1", str(saved)])
    assert result.exit_code == 0, result.output
    assert "wrote 2 feature(s)" in result.output


def test_load_refuses_another_camera_unless_forced(producers: tuple[Path, Path], tmp_path: Path) -> None:
    saved = tmp_path / "viky1.toml"
    runner.invoke(app, ["genicam", "dump", "serial:1", str(saved)])
    refused = runner.invoke(app, ["genicam", "load", "serial:2", str(saved)])
    assert isinstance(refused.exception, CameraError)
    assert "serial '1' but this camera's serial is '2'" in str(refused.exception)
    assert "--force" in str(refused.exception)
    forced = runner.invoke(app, ["genicam", "load", "serial:2", str(saved), "--force"])
    assert forced.exit_code == 0, forced.output


def test_load_of_another_model_names_the_missing_features(producers: tuple[Path, Path], tmp_path: Path) -> None:
    saved = tmp_path / "viky.toml"
    runner.invoke(app, ["genicam", "dump", "serial:1", str(saved)])
    result = runner.invoke(app, ["genicam", "load", TLSIMU, str(saved), "--force"])
    assert isinstance(result.exception, CameraError)
    assert "BouncingBallSize" in str(result.exception)


def test_load_rejects_a_file_it_did_not_write(producers: tuple[Path, Path], tmp_path: Path) -> None:
    saved = tmp_path / "other.toml"
    saved.write_text("Width = 3\n")
    result = runner.invoke(app, ["genicam", "load", TLSIMU, str(saved)])
    assert isinstance(result.exception, ConfigError)
    assert "needs a 'camera' and a 'features' table" in str(result.exception)
