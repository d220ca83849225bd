"""Stamping draws the asked values into the recorded pixels, in one corner only, and only when asked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tomli_w

from camera_daemon.cameras.base import FrameGeometry, PixelFormat
from camera_daemon.cameras.framecode import read_counter
from camera_daemon.cameras.synthetic import SceneRenderer

from recordings import camd, iter_frames, manifest

WIDTH, HEIGHT = 320, 240


def _record(tmp_path: Path, name: str, stamp: list[str]) -> Path:
    camera = {"name": "cam", "width": WIDTH, "height": HEIGHT, "fps": 30, "scene": "flat", "stamp": stamp}
    config = {
        "session": {"output": str(tmp_path), "name": name, "duration_s": 1.0},
        "encoder": {"codec": "ffv1"},
        "cameras": [camera],
    }
    path = tmp_path / f"{name}.toml"
    path.write_text(tomli_w.dumps(config))
    result = camd("run", str(path), "--quiet")
    assert result.returncode == 0, result.stderr
    return tmp_path / name


def test_stamp_changes_only_the_bottom_left_corner(tmp_path: Path) -> None:
    stamped = _record(tmp_path, "stamped", ["utc", "frame", "fps", "ring"])
    plain = _record(tmp_path, "plain", [])
    renderer = SceneRenderer(FrameGeometry(WIDTH, HEIGHT, PixelFormat.mono8, 30), scene="flat")
    truth = np.zeros((HEIGHT, WIDTH), dtype=np.uint8)
    frames = list(iter_frames(stamped / "cam.mkv"))
    assert len(frames) == manifest(stamped)["cameras"]["cam"]["frames_in_video"] >= 20
    for image in frames:
        content = read_counter(image)  # the frame code at the top still reads
        renderer.render(content, truth)
        changed = np.argwhere(image != truth)
        assert changed.size, "a stamped frame shows its stamp"
        assert changed[:, 0].min() >= HEIGHT * 3 // 4 and changed[:, 1].max() < WIDTH * 3 // 4
    # the stamp shows the frame number: two frames with different numbers have different corners
    assert not np.array_equal(frames[1][HEIGHT - 20 :], frames[11][HEIGHT - 20 :])
    for image in iter_frames(plain / "cam.mkv"):  # off by default: the pixels are the scene's
        renderer.render(read_counter(image), truth)
        assert np.array_equal(image, truth)
