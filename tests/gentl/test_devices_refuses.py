"""`camd devices` with a producer that is missing or does not load is an error, not "0 devices"."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recordings import camd


def test_a_missing_producer_is_exit_2_naming_it(user_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMD_CTI", "/nope.cti")
    result = camd("devices")
    assert result.returncode == 2, result.stdout
    assert result.stderr.splitlines() == [
        "camd: error: GenTL producer /nope.cti does not exist (from environment variable CAMD_CTI); "
        "fix the path with `camd cti set PATH` or CAMD_CTI"
    ]
    assert "0 device" not in result.stdout


def test_a_producer_that_does_not_load_is_exit_2(
    user_config: Path, viky: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A good producer beside it must not hide the bad one.
    monkeypatch.setenv("CAMD_CTI", os.pathsep.join((str(viky), "/etc/passwd")))
    result = camd("devices", "--json")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stdout
    assert len(lines) == 1 and "/etc/passwd: not a loadable GenTL producer" in lines[0], result.stderr
    assert result.stdout == ""
