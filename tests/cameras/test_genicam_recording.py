"""Three GenICam cameras recorded together through ``camd run``: TLSimu mono, TLSimu colour, viky.

One session is recorded with ffv1 (lossless), so every decoded pixel can be compared exactly with
what the producer sends. The expected pictures are not taken from camera_daemon's own conversion:
the test fetches raw buffers from the same devices with Harvesters, reads their GenICam pixel
format, and derives from them what each recorded frame must look like.

- TLSimu shifts its whole picture by one grey level per frame (checked on two raw frames), so one
  raw frame predicts any other from its frame id: frame i of each video must equal the prediction
  for row i's camera_frame_id. That ties video frames to table rows one by one, and on the colour
  device (R, G and B all different) it shows the channel order.
- viky draws a ball of one colour on a plain background; the recording must hold exactly those
  two colours in BGR order, the ball in every frame.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from recordings import camd, iter_frames, manifest, table

TLSIMU_MONO = "SN_InterfaceA_0"
TLSIMU_COLOUR = "SN_InterfaceA_1"
VIKY = "0"
TLSIMU_SIZE = (128, 96)
VIKY_SIZE = (200, 160)
VIKY_FPS = 30.0
DURATION_S = 2.0
# Where each of blue, green and red sits in a GenICam colour format's pixel.
BGR_INDICES = {"RGB8": [2, 1, 0], "RGBa8": [2, 1, 0], "BGR8": [0, 1, 2], "BGRa8": [0, 1, 2]}

CAMERAS = {
    "mono": f"genicam:serial:{TLSIMU_MONO}?width={TLSIMU_SIZE[0]}&height={TLSIMU_SIZE[1]}",
    "colour": f"genicam:serial:{TLSIMU_COLOUR}?width={TLSIMU_SIZE[0]}&height={TLSIMU_SIZE[1]}",
    "viky": f"genicam:serial:{VIKY}?width={VIKY_SIZE[0]}&height={VIKY_SIZE[1]}&fps={VIKY_FPS:g}",
}


@dataclass(frozen=True)
class RawFrames:
    """Buffers as the producer delivered them: GenICam format, then (frame id, height x width x channels)."""

    data_format: str
    frames: list[tuple[int, np.ndarray]]  # type: ignore[type-arg]


@dataclass(frozen=True)
class Recorded:
    session: Path
    manifest: dict[str, Any]
    raw: dict[str, RawFrames]


@contextmanager
def _acquiring(producers: tuple[Path, ...], serial: str, width: int, height: int) -> Iterator[Any]:
    """A bare Harvesters acquirer, started. Harvesters replaces the SIGINT handler when it creates
    one; pytest's own is put back so Ctrl-C still ends the test run."""
    from harvesters.core import Harvester

    previous = signal.getsignal(signal.SIGINT)
    harvester = Harvester()
    try:
        for path in producers:
            harvester.add_file(str(path))
        harvester.update()
        acquirer = harvester.create({"serial_number": serial})
        signal.signal(signal.SIGINT, previous)
        try:
            acquirer.remote_device.node_map.Width.value = width
            acquirer.remote_device.node_map.Height.value = height
            acquirer.start()
            yield acquirer
        finally:
            acquirer.destroy()
    finally:
        harvester.reset()
        signal.signal(signal.SIGINT, previous)


def _raw_frames(producers: tuple[Path, ...], serial: str, size: tuple[int, int], count: int) -> RawFrames:
    width, height = size
    frames: list[tuple[int, np.ndarray]] = []  # type: ignore[type-arg]
    data_format = ""
    with _acquiring(producers, serial, width, height) as acquirer:
        for _ in range(count):
            with acquirer.fetch(timeout=2.0) as buffer:  # copied before the buffer goes back
                component = buffer.payload.components[0]
                data_format = str(component.data_format)
                channels = int(component.num_components_per_pixel)
                pixels = component.data.reshape(height, width, channels).copy()
                frames.append((int(buffer.module.frame_id), pixels))
    return RawFrames(data_format, frames)


@pytest.fixture(scope="module")
def recorded(genicam_producer_paths: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    """The raw reference frames, then one `camd run` session of the three cameras."""
    raw = {
        "mono": _raw_frames(genicam_producer_paths, TLSIMU_MONO, TLSIMU_SIZE, 8),
        "colour": _raw_frames(genicam_producer_paths, TLSIMU_COLOUR, TLSIMU_SIZE, 8),
        "viky": _raw_frames(genicam_producer_paths, VIKY, VIKY_SIZE, 3),
    }
    output = tmp_path_factory.mktemp("genicam_session")
    options = [item for name, spec in CAMERAS.items() for item in ("--camera", f"{name}={spec}")]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CAMD_CTI", os.pathsep.join(str(path) for path in genicam_producer_paths))
        result = camd(
            "run", *options, "--duration", f"{DURATION_S:g}", "--output", str(output),
            "--session", "s", "--codec", "ffv1", "--quiet",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    session = output / "s"
    return Recorded(session, manifest(session), raw)


def _shifted(pixels: np.ndarray, by: int) -> np.ndarray:  # type: ignore[type-arg]
    return ((pixels.astype(np.int64) + by) % 256).astype(np.uint8)


def _tlsimu_prediction(raw: RawFrames) -> Callable[[int], np.ndarray]:  # type: ignore[type-arg]
    """The picture of any frame id, from the first raw frame; the rule is checked on the last."""
    (first_id, first), (last_id, last) = raw.frames[0], raw.frames[-1]
    assert last_id > first_id
    np.testing.assert_array_equal(last, _shifted(first, last_id - first_id))
    return lambda frame_id: _shifted(first, frame_id - first_id)


def _as_recorded(data_format: str, pixels: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
    """What camd should record for raw ``pixels``: mono as it is, colour as B, G, R."""
    if data_format == "Mono8":
        return pixels[..., 0]
    return pixels[..., BGR_INDICES[data_format]]


def test_every_camera_stopped_cleanly(recorded: Recorded) -> None:
    assert recorded.manifest["exit_state"] == "stopped"
    assert recorded.manifest["failed_cameras"] == []
    cameras = recorded.manifest["cameras"]
    assert set(cameras) == set(CAMERAS)
    for name, entry in cameras.items():
        assert entry["exit_state"] == "stopped", (name, entry["error"])
        assert entry["drops_buffer"] == 0 and entry["drops_frame_id_gap"] == 0, name
    assert (cameras["mono"]["pixel_format"], cameras["colour"]["pixel_format"]) == ("mono8", "bgr8")
    assert cameras["viky"]["pixel_format"] == "bgr8"


@pytest.mark.parametrize("name", list(CAMERAS))
def test_video_frames_match_table_rows_ids_and_times(recorded: Recorded, name: str) -> None:
    rows = table(recorded.session, name)
    entry = recorded.manifest["cameras"][name]
    decoded = sum(1 for _ in iter_frames(recorded.session / entry["video"]))
    assert decoded == rows["frame_index"].size == entry["frames_in_video"] == entry["timestamps_logged"]
    assert decoded > DURATION_S * VIKY_FPS / 2
    np.testing.assert_array_equal(np.diff(rows["camera_frame_id"]), 1)
    assert (np.diff(rows["host_time_us"]) > 0).all()


def test_viky_records_at_its_set_rate(recorded: Recorded) -> None:
    entry = recorded.manifest["cameras"]["viky"]
    assert entry["nominal_fps"] == pytest.approx(VIKY_FPS)
    assert entry["mean_fps"] == pytest.approx(VIKY_FPS, rel=0.1)


@pytest.mark.parametrize("name", ["mono", "colour"])
def test_a_camera_without_a_rate_node_is_timed_so_its_ring_holds_its_seconds(recorded: Recorded, name: str) -> None:
    # TLSimu free-runs at well over 100 fps and has no rate node; the 30 fps default would size
    # the 2 s ring for a third of a second of its frames.
    entry = recorded.manifest["cameras"][name]
    assert entry["nominal_fps"] > 60
    assert entry["mean_fps"] == pytest.approx(entry["nominal_fps"], rel=0.5)
    assert entry["ring_capacity"] >= 2 * 60


@pytest.mark.parametrize("name", ["mono", "colour"])
def test_tlsimu_frames_hold_exactly_the_pixels_of_their_frame_ids(recorded: Recorded, name: str) -> None:
    raw = recorded.raw[name]
    assert raw.data_format == {"mono": "Mono8", "colour": "RGB8"}[name]
    if name == "colour":  # three different channels, or a swap would go unseen
        first = raw.frames[0][1]
        assert not np.array_equal(first[..., 0], first[..., 2])
        assert not np.array_equal(first[..., 1], first[..., 2])
    predict = _tlsimu_prediction(raw)
    frame_ids = table(recorded.session, name)["camera_frame_id"]
    video = recorded.session / recorded.manifest["cameras"][name]["video"]
    decoded = iter_frames(video, "gray" if name == "mono" else "bgr24")
    count = 0
    for frame_id, image in zip(frame_ids, decoded, strict=True):
        expected = _as_recorded(raw.data_format, predict(int(frame_id)))
        np.testing.assert_array_equal(image, expected, err_msg=f"{name} camera frame id {frame_id}")
        count += 1
    assert count == frame_ids.size


def test_viky_colours_arrive_in_bgr_order(recorded: Recorded) -> None:
    raw = recorded.raw["viky"]
    assert raw.data_format == "RGBa8"
    colours, counts = np.unique(raw.frames[-1][1].reshape(-1, 4), axis=0, return_counts=True)
    assert colours.shape[0] == 2, colours  # background and ball
    background, ball = (_as_recorded(raw.data_format, colours[index]) for index in np.argsort(counts)[::-1])
    assert not np.array_equal(ball, ball[::-1])  # a colour that a channel swap changes
    video = recorded.session / recorded.manifest["cameras"]["viky"]["video"]
    for index, image in enumerate(iter_frames(video, "bgr24")):
        pixels = image.reshape(-1, 3)
        is_ball = (pixels == ball).all(axis=1)
        is_background = (pixels == background).all(axis=1)
        assert (is_ball | is_background).all(), f"frame {index}: colours other than {background} and {ball}"
        assert is_ball.any(), f"frame {index}: no ball"
