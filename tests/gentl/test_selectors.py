"""Device selectors resolved against a fixed device list."""

from __future__ import annotations

import pytest

from camera_daemon.errors import CameraError
from camera_daemon.gentl.devices import DeviceEntry, select_entry


def _entry(index: int, model: str, serial: str, user_name: str = "") -> DeviceEntry:
    return DeviceEntry(index, "Vendor", model, serial, user_name, "U3V", "if0", "/x.cti")


ENTRIES = [
    _entry(0, "Alpha", "100", "left"),
    _entry(1, "Alpha", "200", "right"),
    _entry(2, "Beta", "3", "top"),
    _entry(3, "7", "300"),
]


@pytest.mark.parametrize(
    ("selector", "index"),
    [
        ("serial:200", 1),
        ("model:Beta", 2),
        ("name:right", 1),
        ("index:3", 3),
        ("100", 0),  # bare: a serial
        ("Beta", 2),  # bare: a model
        ("left", 0),  # bare: a user-defined name
        ("3", 2),  # bare: serial "3" wins over index 3
        ("7", 3),  # bare: no serial "7", but a model "7" before index 7
        ("1", 1),  # bare: only an index matches
    ],
)
def test_selector_picks_one_device(selector: str, index: int) -> None:
    assert select_entry(ENTRIES, selector).index == index


def test_serial_is_tried_before_index() -> None:
    entries = [_entry(0, "A", "1"), _entry(1, "B", "0")]
    assert select_entry(entries, "1").index == 0
    assert select_entry(entries, "index:1").index == 1


def test_ambiguous_selector_names_the_candidates() -> None:
    with pytest.raises(CameraError, match="matches 2 devices") as raised:
        select_entry(ENTRIES, "model:Alpha")
    assert "'100'" in str(raised.value) and "'200'" in str(raised.value)


def test_unknown_selector_lists_all_devices() -> None:
    with pytest.raises(CameraError, match="no GenICam device matches 'serial:999'") as raised:
        select_entry(ENTRIES, "serial:999")
    assert all(f"[{entry.index}]" in str(raised.value) for entry in ENTRIES)


def test_index_selector_needs_a_number() -> None:
    with pytest.raises(CameraError, match="needs a number"):
        select_entry(ENTRIES, "index:first")
