"""The start-time encoder probe: an encoder that cannot run is a one-line config error before any
session folder exists, for `camd run` and for `camd start` alike."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from camera_daemon.config import parse_config
from camera_daemon.encoding import probe

from recordings import camd

# a hardware encoder is expected to fail only where its device is absent (as on the test machines)
DEVICES = {"nvenc": "/dev/nvidia0", "vaapi": "/dev/dri/renderD128", "qsv": "/dev/dri/renderD128"}
ENCODERS = {"nvenc": "h264_nvenc", "vaapi": "h264_vaapi", "qsv": "h264_qsv"}


def _one_line(result) -> str:  # type: ignore[no-untyped-def]
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return str(lines[0])


@pytest.mark.parametrize("hardware", sorted(DEVICES))
def test_hardware_encoder_that_cannot_run_is_a_config_error(tmp_path, hardware):
    if Path(DEVICES[hardware]).exists():
        pytest.skip(f"{DEVICES[hardware]} exists: {hardware} may run here")
    config = tmp_path / "hw.toml"
    config.write_text(f'[encoder]\nhardware = "{hardware}"\n[[cameras]]\nname = "a"\n')
    result = camd("run", str(config), "--output", str(tmp_path / "out"), "--duration", "0.5", "--quiet")
    line = _one_line(result)
    assert line.startswith(f"camd: error: encoder.hardware: {ENCODERS[hardware]} cannot run here ("), line
    assert line.endswith('use hardware = "cpu"'), line
    assert not (tmp_path / "out").exists()


def test_odd_size_names_width_height_and_ffmpegs_reason(tmp_path):
    spec = "a=synthetic:?width=33&height=17&pixel_format=bgr8"
    result = camd("run", "--camera", spec, "--codec", "h264", "--output", str(tmp_path / "out"), "--duration", "0.5")
    line = _one_line(result)
    assert "cameras.0.width/height: libx264 cannot encode 33x17 bgr8 frames" in line
    assert "width not divisible by 2" in line  # ffmpeg's own words
    assert not (tmp_path / "out").exists()


def test_camd_start_probes_in_the_foreground(tmp_path, monkeypatch):
    if Path(DEVICES["nvenc"]).exists():
        pytest.skip("nvenc may run here")
    monkeypatch.setenv("CAMD_RUNTIME_DIR", str(tmp_path / "runtime"))
    config = tmp_path / "hw.toml"
    config.write_text('[encoder]\nhardware = "nvenc"\n[[cameras]]\nname = "a"\n')
    result = camd("start", str(config), "--output", str(tmp_path / "out"), "--name", "probe")
    assert "encoder.hardware: h264_nvenc cannot run here" in _one_line(result)
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "runtime" / "probe.pid").exists()


def test_probe_is_cached_per_command_and_geometry():
    probe._run_probe.cache_clear()
    cameras = [{"name": f"c{i}", "width": 96, "height": 64 + 16 * (i % 2)} for i in range(4)]
    config = parse_config({"cameras": cameras})
    started = time.perf_counter()
    probe.check_encoders(config)
    first = time.perf_counter() - started
    assert probe._run_probe.cache_info().currsize == 2  # two geometries, two ffmpeg runs
    started = time.perf_counter()
    probe.check_encoders(config)
    again = time.perf_counter() - started
    assert probe._run_probe.cache_info().hits >= 2
    assert again < first / 5, (first, again)


def test_ffmpeg_reason_drops_generic_summaries():
    stderr = (
        "[h264_nvenc @ 0x55d0] Cannot load libcuda.so.1\n"
        "Error initializing output stream 0:0 -- Error while opening encoder for output stream #0:0\n"
    )
    assert probe.ffmpeg_reason(stderr) == "Cannot load libcuda.so.1"
