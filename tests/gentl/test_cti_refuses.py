"""`camd cti set` stores only GenTL producers: anything else is refused before the list is touched."""

from __future__ import annotations

import _ctypes
from pathlib import Path

from camera_daemon.gentl.producers import store_path

from recordings import camd


def _refused(path: str, expected: str) -> None:
    result = camd("cti", "set", path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert not store_path().exists(), "nothing is stored"


def test_a_file_that_is_no_library_is_refused(user_config: Path) -> None:
    _refused("/etc/passwd", "/etc/passwd: not a loadable GenTL producer")


def test_a_library_without_the_gentl_entry_point_is_refused(user_config: Path) -> None:
    _refused(_ctypes.__file__, "exports no GCInitLib")  # a real shared object, just not a producer


def test_a_refused_path_leaves_the_stored_list_alone(user_config: Path, viky: Path) -> None:
    assert camd("cti", "set", str(viky)).returncode == 0
    before = store_path().read_bytes()
    result = camd("cti", "set", "--append", "/etc/passwd")
    assert result.returncode == 2, result.stderr
    assert store_path().read_bytes() == before
