"""A settings file keeps each feature's type: a float that is not finite is still a float when read back."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from camera_daemon.gentl import settings
from camera_daemon.gentl.devices import DeviceEntry

ENTRY = DeviceEntry(
    index=0,
    vendor='Acme "Vision"',
    model="M\\1",
    serial="SN\t7",
    user_name="",
    tl_type="U3V",
    interface="if0",
    producer="p.cti",
)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_special_floats_and_awkward_text_round_trip(tmp_path: Path, suffix: str) -> None:
    features: dict[str, int | float | bool | str] = {
        "Gain": math.nan,
        "ExposureTimeMax": math.inf,
        "BlackLevel": -math.inf,
        "Width": 640,
        "ReverseX": True,
        "DeviceUserID": 'cage "A"\\left\x7f',
    }
    path = tmp_path / f"settings{suffix}"
    path.write_text(settings.render(ENTRY, features, suffix), encoding="utf-8")
    camera, read = settings.parse(path)
    assert camera == {"vendor": ENTRY.vendor, "model": ENTRY.model, "serial": ENTRY.serial}
    assert isinstance(read["Gain"], float) and math.isnan(read["Gain"])
    assert read["ExposureTimeMax"] == math.inf and read["BlackLevel"] == -math.inf
    assert {key: read[key] for key in ("Width", "ReverseX", "DeviceUserID")} == {
        "Width": 640,
        "ReverseX": True,
        "DeviceUserID": 'cage "A"\\left\x7f',
    }
