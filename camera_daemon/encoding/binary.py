"""Which ffmpeg runs: the system one when on PATH (it brings ffprobe and hardware encoders), else the
static binary of the imageio-ffmpeg wheel, so a bare pip install can still record."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

from camera_daemon.errors import EncoderError


@functools.cache
def ffmpeg_path() -> str:
    override = os.environ.get("CAMD_FFMPEG")
    if override:
        return override
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        raise EncoderError(
            "no ffmpeg found: install it (apt-get install ffmpeg) or pip install imageio-ffmpeg"
        ) from None
    return str(imageio_ffmpeg.get_ffmpeg_exe())


@functools.cache
def ffmpeg_version() -> str:
    try:
        output = subprocess.run(
            [ffmpeg_path(), "-hide_banner", "-version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except OSError as error:
        raise EncoderError(
            f"ffmpeg at {ffmpeg_path()} does not run ({error}); set CAMD_FFMPEG to a working one"
        ) from None
    first = output.splitlines()[0] if output else "unknown"
    return first.removeprefix("ffmpeg version ").split(" ")[0]
