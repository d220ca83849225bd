"""Opens the backend a camera config names; backends are imported only when used, so a synthetic
session never pays for loading Harvesters."""

from __future__ import annotations

from camera_daemon.cameras.base import Camera
from camera_daemon.config import Backend, CameraConfig


def create_camera(config: CameraConfig) -> Camera:
    if config.backend is Backend.synthetic:
        from camera_daemon.cameras.synthetic import SyntheticCamera

        return SyntheticCamera(config)
    if config.backend is Backend.opencv:
        from camera_daemon.cameras.opencv import OpenCVCamera

        return OpenCVCamera(config)
    from camera_daemon.cameras.genicam import GenICamCamera

    camera: Camera = GenICamCamera(config)
    return camera
