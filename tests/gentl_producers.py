"""Real GenTL producers for the tests: viky from the genicam wheel, TLSimu from a PyPI sdist.

No producer binary lives in this repository. viky ships inside the installed ``genicam`` package.
The EMVA TLSimu simulator is published inside the source distribution of
ataraxis-video-system 5.2.0; it is downloaded once with pip, the two files are extracted unchanged
(checked against the SHA-256 sums that package documents) and cached, by default in
~/.cache/camera-daemon/producers (CAMD_PRODUCER_CACHE overrides).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import genicam

SDIST_REQUIREMENT = "ataraxis-video-system==5.2.0"
_MEMBER_FOLDER = "ataraxis_video_system-5.2.0/tests/gentl_simulator/linux_x86_64/"
TLSIMU_FILES = {
    "TLSimu.cti": "3efbeb7c4c7eebb6f6da2ceb9ea8db9d4c8a0062e20b211258ef542d7b9a7ce1",
    "libVirtualFG.so": "aac43a4c4b5a352fe2170bf048ea398f617957453f1726d83d2a39d0bbfb0052",
}


class ProducerUnavailable(Exception):
    """The producer cannot be had on this machine; tests that need it skip with this reason."""


def cache_dir() -> Path:
    configured = os.environ.get("CAMD_PRODUCER_CACHE", "")
    return Path(configured) if configured else Path.home() / ".cache" / "camera-daemon" / "producers"


def viky_cti() -> Path:
    path = Path(genicam.__file__).parent / "viky.cti"
    if not path.is_file():
        raise ProducerUnavailable(f"the genicam package has no viky.cti at {path}")
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cached_tlsimu(folder: Path) -> Path | None:
    files = [folder / name for name in TLSIMU_FILES]
    if all(path.is_file() for path in files) and all(_sha256(folder / n) == s for n, s in TLSIMU_FILES.items()):
        return folder / "TLSimu.cti"
    return None


def _download_sdist(into: Path) -> Path:
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
        "--disable-pip-version-check", "--quiet", "--retries", "1", "--timeout", "20",
        "-d", str(into), SDIST_REQUIREMENT,
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        raise ProducerUnavailable(f"cannot download {SDIST_REQUIREMENT} with pip: {detail.strip()[-300:]}") from None
    archives = sorted(into.glob("*.tar.gz"))
    if not archives:
        raise ProducerUnavailable(f"pip download of {SDIST_REQUIREMENT} produced no source archive")
    return archives[0]


_failure: list[str] = []  # one failed download per test run is enough to know


def tlsimu_cti() -> Path:
    """TLSimu.cti with libVirtualFG.so beside it, fetched on first use."""
    if _failure:
        raise ProducerUnavailable(_failure[0])
    try:
        return _fetch_tlsimu()
    except ProducerUnavailable as reason:
        _failure.append(str(reason))
        raise


def _fetch_tlsimu() -> Path:
    if not sys.platform.startswith("linux") or os.uname().machine != "x86_64":
        raise ProducerUnavailable("the TLSimu build used here exists for Linux x86_64 only")
    folder = cache_dir() / "tlsimu-linux_x86_64"
    cached = _cached_tlsimu(folder)
    if cached is not None:
        return cached
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent) as scratch:
        archive = _download_sdist(Path(scratch))
        with tarfile.open(archive) as sdist:
            for name in TLSIMU_FILES:
                member = sdist.extractfile(_MEMBER_FOLDER + name)
                if member is None:
                    raise ProducerUnavailable(f"{archive.name} has no {_MEMBER_FOLDER + name}")
                staged = Path(scratch) / name
                staged.write_bytes(member.read())
                staged.chmod(0o755)
                if _sha256(staged) != TLSIMU_FILES[name]:
                    raise ProducerUnavailable(f"{name} in {archive.name} does not have the documented SHA-256")
                staged.replace(folder / name)  # atomic, so a concurrent run never sees half a file
    cached = _cached_tlsimu(folder)
    if cached is None:
        raise ProducerUnavailable(f"TLSimu files missing in {folder} after extraction")
    return cached
