"""Which ffmpeg runs: the system one when on PATH (it brings ffprobe and hardware encoders), else the
static binary of the imageio-ffmpeg wheel, so a bare pip install can still record."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path

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


def _version_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "camera-daemon" / "ffmpeg-version.json"


@functools.cache
def ffmpeg_version() -> str:
    """Cached on disk per binary (path, size, mtime): every start writes it into the manifest, and
    running ``ffmpeg -version`` costs a start a tenth of a second, more on a busy machine."""
    path = ffmpeg_path()
    try:
        info = os.stat(shutil.which(path) or path)
        key = f"{os.path.realpath(shutil.which(path) or path)}:{info.st_size}:{info.st_mtime_ns}"
    except OSError:
        key = None
    cache = _version_cache()
    if key is not None:
        try:
            cached = json.loads(cache.read_text())
            if isinstance(cached, dict) and isinstance(cached.get(key), str):
                return str(cached[key])
        except (OSError, ValueError):
            pass
    version = _run_version()
    if key is not None and version != "unknown":
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps({key: version}))
            os.replace(temporary, cache)
        except OSError:
            pass  # a read-only home: the version is simply asked again next time
    return version


def _run_version() -> str:
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
