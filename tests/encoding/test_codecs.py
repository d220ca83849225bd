"""Every codec and both containers record frames equal to timestamps; ffv1 is bit-exact."""

from __future__ import annotations

import numpy as np
import pytest

from camera_daemon.cameras.base import FrameGeometry, PixelFormat
from camera_daemon.cameras.synthetic import SceneRenderer

from recordings import camd, decoded_counters, frame_times_s, iter_frames, manifest, record_session, table

_DECODE_FORMAT = {"mono8": "gray", "bgr8": "bgr24", "mono16": "gray16le"}


@pytest.mark.parametrize("pixel_format", ["mono8", "bgr8", "mono16"])
def test_ffv1_decodes_to_the_generated_pixels(tmp_path, pixel_format):
    cameras = [{"name": "x", "fps": 30, "width": 160, "height": 96, "pixel_format": pixel_format}]
    session, _ = record_session(tmp_path, cameras, session={"duration_s": 1}, encoder={"codec": "ffv1"})
    rows = table(session, "x")
    renderer = SceneRenderer(FrameGeometry(160, 96, PixelFormat(pixel_format), 30))
    expected = np.zeros(PixelFormat(pixel_format).shape(160, 96), PixelFormat(pixel_format).dtype)
    decoded = 0
    for index, image in enumerate(iter_frames(session / "x.mkv", _DECODE_FORMAT[pixel_format])):
        renderer.render(int(rows["camera_frame_id"][index]), expected)
        assert image.dtype == expected.dtype
        assert np.array_equal(image, expected), f"frame {index} differs"
        decoded += 1
    assert decoded == rows["frame_index"].size >= 25


@pytest.mark.parametrize(
    ("codec", "container"),
    [("h264", "mp4"), ("hevc", "mkv"), ("av1", "mkv"), ("mjpeg", "mkv")],
)
def test_codec_and_container_keep_frames_equal_to_timestamps(tmp_path, codec, container):
    cameras = [{"name": "x", "fps": 30, "width": 160, "height": 96}]
    session, _ = record_session(
        tmp_path, cameras, session={"duration_s": 1}, encoder={"codec": codec, "container": container}
    )
    rows = table(session, "x")
    video = session / f"x.{container}"
    counters = decoded_counters(video)
    assert counters == list(range(rows["frame_index"].size))
    times = np.array(frame_times_s(video))
    expected = (rows["host_time_us"] - rows["host_time_us"][0]) / 1e6
    tolerance = 0.0011 if container == "mkv" else 1e-5
    assert np.allclose(times, expected, atol=tolerance)


def test_mono16_with_an_8_bit_codec_warns_once_and_the_manifest_keeps_it(tmp_path):
    """h264 stores 8 bits: the run says so in one line naming the fix, and ffv1 is not warned about."""
    spec = "a=synthetic:?pixel_format=mono16&width=64&height=48"
    warning = (
        "camera 'a' sends mono16 but h264 keeps 8 bits per pixel; use --codec ffv1 (codec = \"ffv1\") to keep all 16"
    )
    for codec, expected in (("h264", [warning]), ("ffv1", [])):
        args = ["--duration", "1", "--output", str(tmp_path), "--session", codec, "-q", "--no-preview"]
        result = camd("run", "--camera", spec, "--codec", codec, *args)
        assert result.returncode == 0, result.stderr
        assert [line for line in result.stderr.splitlines() if "mono16" in line] == [
            f"camd: warning: {w}" for w in expected
        ]
        assert [w for w in manifest(tmp_path / codec).get("warnings", []) if "mono16" in w] == expected
