"""Passwords in camera sources: never written, and best never typed into a config at all.

A session folder is shared and its files are world-readable, so a URL such as
``rtsp://user:pass@host/stream`` is written as ``rtsp://user:***@host/stream`` everywhere
(session.toml, manifest, logs, status, error lines). The better way is a reference to an environment
variable, ``rtsp://user:${CAM_PASS}@host/stream``: the reference is what gets written, and only the
worker that opens the camera expands it, in memory.
"""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING

from camera_daemon.errors import CameraError
from camera_daemon.redact import REFERENCE, has_secret

if TYPE_CHECKING:
    from camera_daemon.config import SessionConfig


def expand_source(source: str, camera: str) -> str:
    """``${NAME}`` replaced by the environment variable NAME; called only where the camera opens, so
    the expanded text lives in that process's memory and nowhere else."""

    def value(match: re.Match[str]) -> str:
        name = match.group("name")
        found = os.environ.get(name)
        if found is None:
            raise CameraError(
                f"camera '{camera}': its source refers to ${{{name}}}, which is not set; "
                f"export {name} in the shell that runs camd"
            )
        return found

    return REFERENCE.sub(value, source)


# `camd start` hands the daemon the sources session.toml shows masked through the daemon's
# environment, which only the same user can read, instead of through any file.
SOURCES_VARIABLE = "CAMD_SECRET_SOURCES"


def secret_sources(config: SessionConfig) -> dict[str, str]:
    return {camera.name: camera.source for camera in config.cameras if has_secret(camera.source)}


def restore_sources(config: SessionConfig) -> SessionConfig:
    """The config read back from session.toml with the real sources put back (and the variable
    removed, so no camera process inherits it)."""
    text = os.environ.pop(SOURCES_VARIABLE, "")
    sources: dict[str, str] = json.loads(text) if text else {}
    if not sources:
        return config
    cameras = [
        camera.model_copy(update={"source": sources[camera.name]}) if camera.name in sources else camera
        for camera in config.cameras
    ]
    return config.model_copy(update={"cameras": cameras})
