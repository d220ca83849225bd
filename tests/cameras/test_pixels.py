"""Every GenICam format the recorder accepts, converted from known data, channel order included."""

from __future__ import annotations

import numpy as np
import pytest

from camera_daemon.cameras.base import PixelFormat
from camera_daemon.cameras.pixels import SUPPORTED_FORMATS, converter_for, natural_output
from camera_daemon.errors import CameraError

WIDTH, HEIGHT = 8, 6
BLUE, GREEN, RED = 50, 100, 200


def _mosaic(tile: str) -> np.ndarray:
    """A uniform colour scene as a sensor with this 2x2 filter tile would deliver it."""
    value = {"R": RED, "G": GREEN, "B": BLUE}
    raw = np.zeros((HEIGHT, WIDTH), np.uint8)
    raw[0::2, 0::2] = value[tile[0]]
    raw[0::2, 1::2] = value[tile[1]]
    raw[1::2, 0::2] = value[tile[2]]
    raw[1::2, 1::2] = value[tile[3]]
    return raw


def _convert(genicam_format: str, payload: np.ndarray, output: PixelFormat | None = None) -> np.ndarray:
    converter = converter_for(genicam_format, WIDTH, HEIGHT, output)
    out = np.zeros(converter.output_shape, dtype=converter.output.dtype)
    converter.convert(payload.reshape(-1), out)
    return out


def test_mono8_is_copied_unchanged() -> None:
    frame = np.arange(WIDTH * HEIGHT, dtype=np.uint8).reshape(HEIGHT, WIDTH)
    np.testing.assert_array_equal(_convert("Mono8", frame), frame)


@pytest.mark.parametrize(("genicam_format", "bits"), [("Mono10", 10), ("Mono12", 12), ("Mono16", 16)])
def test_deep_mono_fills_sixteen_bits(genicam_format: str, bits: int) -> None:
    top = (1 << bits) - 1
    frame = np.linspace(0, top, WIDTH * HEIGHT).astype(np.uint16).reshape(HEIGHT, WIDTH)
    out = _convert(genicam_format, frame.astype("<u2").view(np.uint8))
    assert out.dtype == np.uint16
    np.testing.assert_array_equal(out, frame << (16 - bits))
    assert out.max() == top << (16 - bits)


@pytest.mark.parametrize(("genicam_format", "bits"), [("Mono10", 10), ("Mono12", 12), ("Mono16", 16)])
def test_deep_mono_down_converts_to_mono8_on_request(genicam_format: str, bits: int) -> None:
    frame = np.linspace(0, (1 << bits) - 1, WIDTH * HEIGHT).astype(np.uint16).reshape(HEIGHT, WIDTH)
    out = _convert(genicam_format, frame, PixelFormat.mono8)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, (frame >> (bits - 8)).astype(np.uint8))
    assert out.max() == 255


def test_deep_mono_reads_little_endian_containers() -> None:
    payload = np.array([0x34, 0x02] * (WIDTH * HEIGHT), dtype=np.uint8)  # 0x0234 = 564
    out = _convert("Mono12", payload)
    assert int(out[0, 0]) == 564 << 4


@pytest.mark.parametrize(
    ("genicam_format", "tile"),
    [("BayerRG8", "RGGB"), ("BayerGB8", "GBRG"), ("BayerGR8", "GRBG"), ("BayerBG8", "BGGR")],
)
def test_bayer_tiles_debayer_to_the_scene_colour(genicam_format: str, tile: str) -> None:
    out = _convert(genicam_format, _mosaic(tile))
    assert out.shape == (HEIGHT, WIDTH, 3)
    interior = out[2:-2, 2:-2].reshape(-1, 3)
    np.testing.assert_array_equal(interior, np.tile([BLUE, GREEN, RED], (len(interior), 1)))


@pytest.mark.parametrize(
    ("genicam_format", "pixel"),
    [
        ("RGB8", [RED, GREEN, BLUE]),
        ("BGR8", [BLUE, GREEN, RED]),
        ("RGBa8", [RED, GREEN, BLUE, 255]),
        ("BGRa8", [BLUE, GREEN, RED, 255]),
    ],
)
def test_colour_formats_end_as_bgr(genicam_format: str, pixel: list[int]) -> None:
    frame = np.tile(np.array(pixel, np.uint8), (HEIGHT, WIDTH, 1))
    frame[0, 1, : len(pixel)] = 0  # one black pixel proves positions survive too
    out = _convert(genicam_format, frame)
    assert out.shape == (HEIGHT, WIDTH, 3)
    assert out[0, 0].tolist() == [BLUE, GREEN, RED]
    assert out[0, 1].tolist() == [0, 0, 0]
    assert out[HEIGHT - 1, WIDTH - 1].tolist() == [BLUE, GREEN, RED]


def test_natural_outputs_lose_nothing() -> None:
    assert natural_output("Mono8") is PixelFormat.mono8
    assert natural_output("Mono12") is PixelFormat.mono16
    assert natural_output("BayerGR8") is PixelFormat.bgr8
    assert natural_output("RGBa8") is PixelFormat.bgr8


def test_unsupported_format_names_the_supported_ones() -> None:
    with pytest.raises(CameraError) as raised:
        converter_for("YUV422Packed", WIDTH, HEIGHT)
    message = str(raised.value)
    assert "YUV422Packed" in message
    assert all(name in message for name in SUPPORTED_FORMATS)


def test_colour_cannot_become_mono() -> None:
    with pytest.raises(CameraError, match="cannot be converted"):
        converter_for("RGB8", WIDTH, HEIGHT, PixelFormat.mono8)


def test_short_payload_is_rejected_not_misread() -> None:
    converter = converter_for("Mono8", WIDTH, HEIGHT)
    out = np.zeros(converter.output_shape, np.uint8)
    with pytest.raises(CameraError, match="payload has"):
        converter.convert(np.zeros(WIDTH * HEIGHT - 1, np.uint8), out)
