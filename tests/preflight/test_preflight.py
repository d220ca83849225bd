"""`camd preflight` checks a session before it matters: one row per check, exit 1 when one fails."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from gentl_producers import ProducerUnavailable, tlsimu_cti, viky_cti
from recordings import camd


def _preflight(*args: str) -> tuple[int, dict[str, dict[str, Any]], list[str]]:
    result = camd("preflight", "--json", *args)
    rows = {row["check"]: row for row in json.loads(result.stdout)["checks"]}
    return result.returncode, rows, result.stderr.splitlines()


def test_a_camera_that_does_not_open_fails_its_row_and_the_command(tmp_path: Path) -> None:
    code, rows, stderr = _preflight(
        "--camera", "a=synthetic", "--camera", f"b=opencv:{tmp_path / 'missing.mp4'}", "--output", str(tmp_path)
    )
    assert code == 1
    assert stderr == ["camd: error: preflight: 1 check(s) failed (camera b); see the detail column"]
    assert rows["camera b"]["verdict"] == "fail" and "OpenCV cannot open" in rows["camera b"]["detail"]
    assert rows["camera a"]["verdict"] == "ok"
    assert rows["camera a"]["values"] == {"width": 640, "height": 480, "pixel_format": "mono8", "fps": 30.0}
    assert rows["encoder a"]["verdict"] == "ok" and rows["encoder a"]["values"]["frame_bytes"] > 1000
    assert rows["ffmpeg"]["verdict"] == "ok" and rows["ffmpeg"]["values"]["version"]
    for hardware in ("nvenc", "vaapi", "qsv"):  # no GPU here: each named unusable with ffmpeg's reason
        row = rows[f"hardware {hardware}"]
        assert row["verdict"] == "info"
        assert row["values"]["usable"] or "unusable: " in row["detail"], row
    assert rows["runtime folder"]["verdict"] == "ok"
    assert rows["disk"]["verdict"] == "ok" and rows["disk"]["values"]["hours_left"] > 0


def test_seconds_records_every_camera_and_removes_the_scratch(tmp_path: Path) -> None:
    code, rows, stderr = _preflight(
        "--camera", "a=synthetic", "--camera", "b=synthetic:?fps=60", "--output", str(tmp_path), "--seconds", "2"
    )
    assert code == 0, stderr
    for name, fps in (("a", 30.0), ("b", 60.0)):
        values = rows[f"sustained {name}"]["values"]
        assert values["fps"] == pytest.approx(fps, rel=0.1), values
        assert values["frames"] == pytest.approx(2 * fps, rel=0.15), values
        assert values["drops"] == 0 and values["cpu_percent"] > 0, values
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def producers(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        monkeypatch.setenv("CAMD_CTI", os.pathsep.join((str(viky_cti()), str(tlsimu_cti()))))
    except ProducerUnavailable as reason:
        pytest.skip(f"GenTL producer unavailable: {reason}")


def test_genicam_cameras_open_and_a_format_they_do_not_send_fails(producers: None, tmp_path: Path) -> None:
    code, rows, stderr = _preflight(
        "--camera", "mono=genicam:SN_InterfaceA_0", "--camera", "viky=genicam:serial:1?pixel_format=Mono8",
        "--camera", "bad=genicam:SN_InterfaceB_0?pixel_format=Mono12", "--output", str(tmp_path),
    )  # fmt: skip
    assert code == 1
    assert stderr == ["camd: error: preflight: 1 check(s) failed (camera bad); see the detail column"]
    assert [rows[f"producer {name}"]["verdict"] for name in ("viky.cti", "TLSimu.cti")] == ["ok", "ok"]
    assert rows["camera mono"]["values"]["pixel_format"] == "mono8"
    assert (rows["camera mono"]["values"]["width"], rows["camera mono"]["values"]["height"]) == (512, 512)
    assert rows["camera viky"]["verdict"] == "ok" and rows["camera viky"]["values"]["width"] == 400
    assert "set to PixelFormat Mono12 but sends Mono8" in rows["camera bad"]["detail"]


def test_one_camera_passes_through_the_recorders_own_framing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-frame encode is fed NUT, as the worker feeds ffmpeg: raw bytes would be refused."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o755)
    runtime.chmod(0o755)  # a umask may have taken bits away
    monkeypatch.setenv("CAMD_RUNTIME_DIR", str(runtime))
    output = tmp_path / "out"
    output.mkdir()
    code, rows, stderr = _preflight("-c", "a=synthetic", "--output", str(output))
    assert code == 0, stderr
    assert rows["encoder a"]["verdict"] == "ok", rows["encoder a"]
    assert rows["disk"]["values"]["hours_left"] > 0
    for hardware in ("nvenc", "vaapi", "qsv"):  # their own reason, never the framing's
        assert "Invalid data found" not in rows[f"hardware {hardware}"]["detail"], rows[f"hardware {hardware}"]
    assert rows["runtime folder"]["verdict"] == "ok"
    assert "mode 0755" in rows["runtime folder"]["detail"] and "0700" not in rows["runtime folder"]["detail"]
    assert rows["runtime folder"]["values"]["mode"] == "0755"
