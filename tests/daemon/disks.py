"""A real small filesystem to fill: a tmpfs mounted for one test, so ENOSPC comes from the kernel."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def small_disk(folder: Path, megabytes: int) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a {megabytes} MiB tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def noisy_config(path: Path, *, min_free_megabytes: int, reserve_megabytes: int, cameras: int = 2) -> Path:
    """ffv1 on a white-noise scene: about 75 KB a frame that no codec can shrink, so a small disk fills in a second."""
    lines = [
        "[disk]",
        f"min_free_megabytes = {min_free_megabytes}",
        f"reserve_megabytes = {reserve_megabytes}",
        "[encoder]",
        'codec = "ffv1"',
    ]
    for index in range(cameras):
        lines += ["[[cameras]]", f'name = "cam{index}"', "width = 320", "height = 240", 'scene = "white"']
    path.write_text("\n".join(lines) + "\n")
    return path
