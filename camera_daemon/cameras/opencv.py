"""cv2.VideoCapture as a camera: a device index, a video file, a URL (rtsp/http) or an image sequence.

Webcams often ignore requested sizes and rates, so the camera reports what it actually delivers
instead of rejecting the request. Files and image sequences are not live: they wait for the encoder
rather than dropping, so every frame of the file is recorded once, in order.
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from camera_daemon.cameras.base import EndOfStream, FrameGeometry, FrameInfo, PixelFormat
from camera_daemon.cameras.credentials import expand_source
from camera_daemon.config import CameraConfig
from camera_daemon.errors import CameraError
from camera_daemon.redact import redact

_FORMATS = (PixelFormat.mono8, PixelFormat.bgr8)


def _is_url(source: str) -> bool:
    return "://" in source


class OpenCVCamera:
    def __init__(self, config: CameraConfig) -> None:
        self._config = config
        self._source = redact(config.source)  # what messages show; the real one is expanded at open
        self._is_device = config.source.isdigit()
        explicit = "pixel_format" in config.model_fields_set
        fmt = PixelFormat(config.pixel_format) if explicit else PixelFormat.bgr8
        if fmt not in _FORMATS:
            raise CameraError(
                f"camera '{config.name}': pixel_format '{config.pixel_format}' is not available from OpenCV; "
                "use mono8 or bgr8"
            )
        self._format = fmt
        self._capture: cv2.VideoCapture | None = None
        self._geometry = FrameGeometry(config.width, config.height, fmt, config.fps)
        self._bgr: np.ndarray | None = None  # type: ignore[type-arg]
        self._grabs = 0
        self._start_s = 0.0
        self._native_fps = 0.0

    @property
    def geometry(self) -> FrameGeometry:
        return self._geometry

    @property
    def live(self) -> bool:
        return self._is_device or _is_url(self._source)

    def open(self) -> None:
        source: int | str = (
            int(self._source) if self._is_device else expand_source(self._config.source, self._config.name)
        )
        capture = cv2.VideoCapture(source)
        if not capture.isOpened():
            raise CameraError(
                f"camera '{self._config.name}': OpenCV cannot open '{self._source}'; "
                "check the device index, path or URL (camd devices lists devices)"
            )
        if self._is_device:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._config.width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._config.height)
            if self._config.fps > 0:
                capture.set(cv2.CAP_PROP_FPS, self._config.fps)
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self._native_fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        if width <= 0 or height <= 0:
            capture.release()
            raise CameraError(f"camera '{self._config.name}': '{self._source}' reports no frame size")
        nominal = self._native_fps if self._native_fps > 0 else self._config.fps
        self._geometry = FrameGeometry(width, height, self._format, nominal)
        self._bgr = np.zeros((height, width, 3), dtype=np.uint8)
        self._capture = capture
        self._start_s = time.perf_counter()

    def read(self, out: np.ndarray) -> FrameInfo:  # type: ignore[type-arg]
        capture = self._capture
        if capture is None:
            raise CameraError(f"camera '{self._config.name}' read before open")
        if self._config.realtime and not self.live and self._native_fps > 0:
            due = self._start_s + self._grabs / self._native_fps
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        if not capture.grab():
            if self.live:
                raise CameraError(f"camera '{self._config.name}': '{self._source}' stopped delivering frames")
            raise EndOfStream
        self._grabs += 1
        position = self._grabs - 1
        if not self.live:
            reported = capture.get(cv2.CAP_PROP_POS_FRAMES)
            position = int(reported) - 1 if reported and reported > 0 else position
        target = out if self._format is PixelFormat.bgr8 else self._bgr
        ok, image = capture.retrieve(target)
        if not ok or image is None:
            raise CameraError(f"camera '{self._config.name}': frame {position} could not be decoded")
        if image.shape[:2] != out.shape[:2]:
            raise CameraError(
                f"camera '{self._config.name}': frame size changed to {image.shape[1]}x{image.shape[0]} mid-stream"
            )
        if self._format is PixelFormat.mono8:
            cv2.cvtColor(image, cv2.COLOR_BGR2GRAY, dst=out)
        elif image is not out:
            out[...] = image
        return FrameInfo(camera_frame_id=position)

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None
