"""A video file re-recorded through cv2.VideoCapture: every source frame once, in order."""

from __future__ import annotations

import cv2
import numpy as np

from camera_daemon.cameras.base import FrameGeometry, PixelFormat
from camera_daemon.cameras.synthetic import SceneRenderer

from recordings import decoded_counters, record_session, table


def _write_source(path, frames: int) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25.0, (320, 240))
    assert writer.isOpened()
    renderer = SceneRenderer(FrameGeometry(320, 240, PixelFormat.bgr8, 25))
    image = np.zeros((240, 320, 3), np.uint8)
    for index in range(frames):
        renderer.render(index, image)
        writer.write(image)
    writer.release()


def test_file_free_running_records_every_frame_once_in_order(tmp_path):
    source = tmp_path / "source.mp4"
    _write_source(source, 200)
    cameras = [{"name": "file", "backend": "opencv", "source": str(source), "pixel_format": "mono8"}]
    session, result = record_session(tmp_path, cameras, buffer={"seconds": 0.2})
    rows = table(session, "file")
    assert decoded_counters(session / "file.mkv") == list(range(200))
    assert rows["camera_frame_id"].tolist() == list(range(200))
    entry = result["cameras"]["file"]
    assert entry["width"] == 320 and entry["height"] == 240
    assert entry["drops_buffer"] == 0 and entry["exit_state"] == "stopped"


def test_image_sequence_is_a_source(tmp_path):
    renderer = SceneRenderer(FrameGeometry(160, 96, PixelFormat.bgr8, 10))
    image = np.zeros((96, 160, 3), np.uint8)
    for index in range(12):
        renderer.render(index, image)
        cv2.imwrite(str(tmp_path / f"img{index:04d}.png"), image)
    cameras = [{"name": "seq", "backend": "opencv", "source": str(tmp_path / "img%04d.png")}]
    session, _ = record_session(tmp_path, cameras)
    assert decoded_counters(session / "seq.mkv") == list(range(12))
