"""GenICamCamera against real producers: EMVA's TLSimu simulator and viky from the genicam wheel.

TLSimu draws a known picture: mono pixel (x, y) of frame k is (x + y + k) mod 256; the colour
device sends R = y + k, G = x + k, B = k (mod 256). viky resets PixelFormat to RGBa8 on every
connection, which shows whether the config is applied in the connection that acquires.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

from camera_daemon.cameras.base import FrameInfo, PixelFormat
from camera_daemon.cameras.genicam import GenICamCamera
from camera_daemon.config import CameraConfig
from camera_daemon.errors import CameraError

pytestmark = pytest.mark.usefixtures("genicam_producers")

TLSIMU_MONO = "serial:SN_InterfaceA_0"
TLSIMU_COLOUR = "serial:SN_InterfaceA_1"


def _config(source: str, **fields: Any) -> CameraConfig:
    return CameraConfig(name="cam", backend="genicam", source=source, **fields)


@contextmanager
def opened(config: CameraConfig) -> Iterator[GenICamCamera]:
    camera = GenICamCamera(config)
    camera.open()
    try:
        yield camera
    finally:
        camera.close()


def _frames(camera: GenICamCamera, count: int) -> tuple[list[FrameInfo], list[int], np.ndarray]:
    """Reads ``count`` frames; returns their infos, host arrival times (ns) and the last frame."""
    out = np.empty(camera.geometry.shape, dtype=camera.geometry.pixel_format.dtype)
    infos, host_ns = [], []
    for _ in range(count):
        infos.append(camera.read(out))
        host_ns.append(time.monotonic_ns())
    return infos, host_ns, out


def test_selects_by_serial_model_and_index() -> None:
    with opened(_config(TLSIMU_COLOUR)) as camera:
        assert camera.device is not None and camera.device.model == "TLSimuColor"
        assert camera.geometry.pixel_format is PixelFormat.bgr8
    with opened(_config("index:0")) as camera:
        assert camera.device is not None and (camera.device.model, camera.device.serial) == ("Viky", "0")
    with opened(_config("SN_InterfaceB_0")) as camera:  # a bare string is tried as a serial first
        assert camera.device is not None and camera.device.serial == "SN_InterfaceB_0"


def test_ambiguous_or_unknown_selector_lists_the_devices() -> None:
    with pytest.raises(CameraError, match="matches 2 devices") as ambiguous:
        GenICamCamera(_config("model:TLSimuMono")).open()
    assert "SN_InterfaceA_0" in str(ambiguous.value) and "SN_InterfaceB_0" in str(ambiguous.value)
    with pytest.raises(CameraError, match="no GenICam device matches 'serial:nope'") as unknown:
        GenICamCamera(_config("serial:nope")).open()
    assert "TLSimuColor" in str(unknown.value) and "Viky" in str(unknown.value)


def test_size_and_nodes_are_applied_and_read_back() -> None:
    config = _config("serial:1", width=320, height=240, fps=25.0, nodes={"BouncingBallSize": 33})
    with opened(config) as camera:
        assert (camera.get_node("Width"), camera.get_node("Height")) == (320, 240)
        assert camera.get_node("AcquisitionFrameRate") == pytest.approx(25.0)
        assert camera.get_node("BouncingBallSize") == 33
        assert (camera.geometry.width, camera.geometry.height, camera.geometry.nominal_fps) == (320, 240, 25.0)
        _, _, frame = _frames(camera, 2)
        assert frame.shape == (240, 320, 3)


def test_a_requested_node_the_camera_lacks_is_an_error() -> None:
    with pytest.raises(CameraError, match="no feature 'ExposureTime'"):
        GenICamCamera(_config(TLSIMU_MONO, nodes={"ExposureTime": 1000.0})).open()


def test_viky_pixel_format_is_applied_in_the_acquiring_connection() -> None:
    with opened(_config("serial:2", pixel_format="Mono8")) as camera:
        assert camera.get_node("PixelFormat") == "Mono8"
        assert camera.geometry.pixel_format is PixelFormat.mono8
        _, _, frame = _frames(camera, 3)
        assert frame.shape == (400, 400)
    with opened(_config("serial:2")) as camera:  # left out: the camera's own RGBa8, recorded as BGR
        assert camera.get_node("PixelFormat") == "RGBa8"
        assert camera.geometry.pixel_format is PixelFormat.bgr8


@pytest.mark.parametrize(
    ("requested", "camera_format", "recorded"),
    [
        ("mono8", "Mono8", PixelFormat.mono8),
        ("bgr8", "RGBa8", PixelFormat.bgr8),
        ("RGBa8:bgr8", "RGBa8", PixelFormat.bgr8),
    ],
)
def test_a_recorded_layout_picks_a_camera_format(requested: str, camera_format: str, recorded: PixelFormat) -> None:
    with opened(_config("serial:0", pixel_format=requested)) as camera:
        assert camera.get_node("PixelFormat") == camera_format
        assert camera.geometry.pixel_format is recorded


def test_a_camera_ignoring_the_requested_format_is_an_error_not_a_mislabelled_video() -> None:
    # TLSimu accepts PixelFormat=Mono16 and keeps sending Mono8
    with pytest.raises(CameraError, match="'Mono8' cannot be converted to mono16"):
        GenICamCamera(_config(TLSIMU_MONO, pixel_format="mono16")).open()


def test_tlsimu_frames_are_contiguous_and_mono_pixels_exact() -> None:
    with opened(_config(TLSIMU_MONO, width=320, height=16)) as camera:
        out = np.empty(camera.geometry.shape, dtype=np.uint8)
        y, x = np.mgrid[0:16, 0:320]
        ids = []
        for _ in range(100):
            info = camera.read(out)
            ids.append(info.camera_frame_id)
            np.testing.assert_array_equal(out, ((x + y + info.camera_frame_id) % 256).astype(np.uint8))
        assert ids == list(range(ids[0], ids[0] + 100))
        assert camera.incomplete_buffers == 0


def test_tlsimu_colour_arrives_as_bgr() -> None:
    with opened(_config(TLSIMU_COLOUR, width=300, height=8)) as camera:
        infos, _, frame = _frames(camera, 3)
        k = infos[-1].camera_frame_id
        y, x = np.mgrid[0:8, 0:300]
        np.testing.assert_array_equal(frame[..., 0], np.full((8, 300), k % 256))
        np.testing.assert_array_equal(frame[..., 1], (x + k) % 256)
        np.testing.assert_array_equal(frame[..., 2], (y + k) % 256)


def test_software_trigger_gives_the_configured_rate() -> None:
    with opened(_config(TLSIMU_MONO, width=64, height=48, trigger="software", fps=50.0)) as camera:
        assert camera.geometry.nominal_fps == 50.0
        infos, host_ns, _ = _frames(camera, 40)
    intervals_ms = np.diff(host_ns[1:]) / 1e6  # the first frame was fetched during open()
    assert float(np.median(intervals_ms)) == pytest.approx(20.0, rel=0.03)
    ids = [info.camera_frame_id for info in infos]
    assert ids == list(range(ids[0], ids[0] + 40))


def test_device_times_unwrap_into_a_strictly_increasing_clock() -> None:
    with opened(_config(TLSIMU_MONO, width=32, height=8)) as camera:
        infos, host_ns, _ = _frames(camera, 1)
        while host_ns[-1] - host_ns[0] < 1_300_000_000:  # long enough to cross a second boundary
            more_infos, more_host_ns, _ = _frames(camera, 20)
            infos += more_infos
            host_ns += more_host_ns
    device_ns = np.array([info.device_time_ns for info in infos])
    assert (device_ns >= 0).all()
    assert (np.diff(device_ns) > 0).all()
    assert device_ns[-1] >= 1_000_000_000  # beyond the raw value's one-second range: it wrapped
    device_span, host_span = device_ns[-1] - device_ns[0], host_ns[-1] - host_ns[0]
    assert device_span == pytest.approx(host_span, rel=0.05)


def test_viky_has_no_device_clock() -> None:
    with opened(_config("serial:0")) as camera:
        infos, _, _ = _frames(camera, 2)
    assert [info.device_time_ns for info in infos] == [-1, -1]


def test_free_run_rate_request_on_a_camera_without_a_rate_node_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING), opened(_config(TLSIMU_MONO, fps=30.0)):
        pass
    assert any("no AcquisitionFrameRate" in record.getMessage() for record in caplog.records)


def test_a_stalled_camera_is_reconnected() -> None:
    config = _config(TLSIMU_MONO, width=32, height=8, fetch_timeout_s=0.3, reconnect_s=5.0)
    with opened(config) as camera:
        _frames(camera, 3)
        camera.set_node("AcquisitionStop", True)  # the device stops sending, as if unplugged
        infos, _, frame = _frames(camera, 3)
        assert camera.reconnects == 1
        assert camera.lost is False
        assert camera.get_node("Width") == 32  # the config was applied again
        k = infos[-1].camera_frame_id
        assert int(frame[0, 0]) == k % 256


def test_a_camera_gone_for_longer_than_reconnect_s_raises_and_says_lost() -> None:
    config = _config(TLSIMU_MONO, width=32, height=8, fetch_timeout_s=0.2, reconnect_s=0.0)
    with opened(config) as camera:
        _frames(camera, 2)
        camera.set_node("AcquisitionStop", True)
        with pytest.raises(CameraError, match="lost"):
            _frames(camera, 1)
        assert camera.lost is True


def test_unknown_pixel_format_and_trigger_are_refused() -> None:
    with pytest.raises(CameraError, match="cannot be recorded"):
        GenICamCamera(_config(TLSIMU_MONO, pixel_format="YUV422Packed")).open()
    with pytest.raises(CameraError, match="trigger 'line1' is unknown"):
        GenICamCamera(_config(TLSIMU_MONO, trigger="line1")).open()
