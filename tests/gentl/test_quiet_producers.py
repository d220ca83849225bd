"""Producers' own lines ("GenTL producer does not implement DS...") go to a log; `camd -v` shows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from recordings import camd

NOISE = "GenTL producer does not implement"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "camera-daemon" / "third-party.log"


def test_devices_prints_no_producer_lines(producers: tuple[Path, Path], cache: Path) -> None:
    result = camd("devices")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "GenICam: 7 device(s)" in result.stdout
    assert NOISE in cache.read_text()  # kept, not thrown away


def test_verbose_shows_them(producers: tuple[Path, Path], cache: Path) -> None:
    result = camd("-v", "devices")
    assert result.returncode == 0, result.stderr
    assert any(line.startswith(NOISE) for line in result.stderr.splitlines()), result.stderr
    assert not cache.exists()


def test_an_error_still_reaches_the_terminal(producers: tuple[Path, Path], cache: Path) -> None:
    result = camd("genicam", "read", "serial:NOPE", "Width")
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("camd: error: no GenICam device matches 'serial:NOPE'"), lines
