from __future__ import annotations

import os
from pathlib import Path

import pytest

from gentl_producers import ProducerUnavailable, tlsimu_cti, viky_cti


@pytest.fixture(scope="session")
def viky() -> Path:
    return viky_cti()


@pytest.fixture(scope="session")
def tlsimu() -> Path:
    try:
        return tlsimu_cti()
    except ProducerUnavailable as reason:
        pytest.skip(f"TLSimu producer unavailable: {reason}")


@pytest.fixture
def user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private config folder, so no test reads or changes the user's stored producers."""
    folder = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    monkeypatch.delenv("CAMD_CTI", raising=False)
    monkeypatch.delenv("GENICAM_GENTL64_PATH", raising=False)
    return folder


@pytest.fixture
def producers(user_config: Path, viky: Path, tlsimu: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("CAMD_CTI", os.pathsep.join((str(viky), str(tlsimu))))
    return viky, tlsimu
