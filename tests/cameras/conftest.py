from __future__ import annotations

import os
from pathlib import Path

import pytest

from gentl_producers import ProducerUnavailable, tlsimu_cti, viky_cti


@pytest.fixture(scope="session")
def genicam_producer_paths() -> tuple[Path, Path]:
    try:
        return viky_cti(), tlsimu_cti()
    except ProducerUnavailable as reason:
        pytest.skip(f"GenTL producer unavailable: {reason}")


@pytest.fixture
def genicam_producers(genicam_producer_paths: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """viky and TLSimu through CAMD_CTI, which takes precedence over any stored producer list."""
    monkeypatch.setenv("CAMD_CTI", os.pathsep.join(str(path) for path in genicam_producer_paths))
