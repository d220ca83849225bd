from __future__ import annotations

import numpy as np
import pytest

from camera_daemon.cameras.framecode import draw_counter, read_counter
from camera_daemon.cameras.spec import parse_camera_spec
from camera_daemon.errors import ConfigError


@pytest.mark.parametrize("shape", [(48, 64), (480, 640), (240, 320, 3)])
@pytest.mark.parametrize("value", [0, 1, 12345, 2**32 - 1])
def test_frame_code_round_trips_and_survives_noise(shape, value):
    image = np.random.default_rng(value % 97).integers(0, 255, size=shape, dtype=np.uint8)
    draw_counter(image, value)
    noisy = np.clip(image.astype(np.int16) + np.random.default_rng(1).integers(-40, 40, size=shape), 0, 255)
    assert read_counter(image) == value
    assert read_counter(noisy.astype(np.uint8)) == value


def test_frame_code_in_16_bit_frames():
    image = np.zeros((96, 160), np.uint16)
    draw_counter(image, 777)
    assert read_counter(image) == 777


def test_camera_specs():
    assert parse_camera_spec("a=synthetic") == {"name": "a", "backend": "synthetic"}
    assert parse_camera_spec("a=synthetic:?width=640&fps=60") == {
        "name": "a",
        "backend": "synthetic",
        "width": "640",
        "fps": "60",
    }
    assert parse_camera_spec("w=opencv:0")["source"] == "0"
    assert parse_camera_spec("f=opencv:/data/clip.mp4?realtime=1")["realtime"] == "1"
    url = parse_camera_spec("u=opencv:rtsp://host/stream?channel=2")
    assert url["source"] == "rtsp://host/stream?channel=2"
    assert parse_camera_spec("g=genicam:serial:SN_1")["source"] == "serial:SN_1"
    assert parse_camera_spec("d=synthetic:?drop_frames=3,4")["drop_frames"] == [3, 4]
    with pytest.raises(ConfigError, match="unknown option"):
        parse_camera_spec("a=synthetic:?bogus=1")
