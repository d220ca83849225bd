"""The preview of a camera that also feeds an analysis callback: its tap holds whole frames and
is read by two processes at once, and the tile must still come, downscaled and advancing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from previews import http, http_json, start_config_with_preview

from camera_daemon.cameras.framecode import read_counter

from recordings import camd, manifest

BRIGHTNESS = "camera_daemon.analysis.builtin:brightness"


def _tile(url: str, deadline: float) -> tuple[int, int, tuple[int, ...]]:
    """(frame index, decoded frame code, shape) of the next tile; a camera still starting answers
    404 or 503 for a moment, anything else is a failure."""
    while True:
        code, headers, body = http(url)
        if code == 200:
            image = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_GRAYSCALE)
            return int(headers["X-Frame-Index"]), read_counter(image), image.shape
        assert code in (404, 503), (code, body[:200])
        assert time.monotonic() < deadline, (code, body[:200])
        time.sleep(0.05)


def test_an_analysed_camera_has_a_live_tile_and_shows_its_results(tmp_path: Path, runtime: Path) -> None:
    camera: dict[str, Any] = {"name": "a", "width": 640, "height": 480, "fps": 30, "analysis": BRIGHTNESS}
    session, url = start_config_with_preview(tmp_path, [camera])
    try:
        deadline = time.monotonic() + 60
        index, counter, shape = _tile(url + "api/cameras/a/frame.jpg", deadline)
        assert shape == (240, 320)  # whole frames in the tap, a preview-width tile on the page
        while True:
            later_index, later_counter, _ = _tile(url + "api/cameras/a/frame.jpg", deadline)
            if later_index > index:
                break
            assert time.monotonic() < deadline
        assert later_counter > counter > 0
        while True:
            cameras = http_json(url + "api/status")[1]["cameras"]
            if cameras[0]["analysis_last"]:
                break
            assert time.monotonic() < deadline, cameras
            time.sleep(0.05)
        assert cameras[0]["analysis"] == "running" and "brightness" in cameras[0]["analysis_last"]
    finally:
        stopped = camd("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert manifest(session)["exit_state"] == "stopped"
