"""Mosaic: one row per reference tick, each tile the nearest source frame, missing frames marked."""

import json
from pathlib import Path

import cv2
import numpy as np
import pyarrow.csv as pacsv
import pytest

from camera_daemon.cameras.framecode import read_counter
from camera_daemon.post.options import PostOptions
from camera_daemon.post.stitch.mosaic import MosaicLayout, label_region, tile_region
from camera_daemon.post.workflow import run_post

from readback import decoded, nearest_truth
from sessions import CameraPlan, Recorded, record_session


def _layout(truth: dict[str, Recorded]) -> MosaicLayout:
    cameras = [(name, rec.plan.width, rec.plan.height) for name, rec in truth.items()]
    colour = any(rec.plan.pixel_format == "bgr8" for rec in truth.values())
    return MosaicLayout.plan(cameras, colour, time_overlay=True)


def test_every_tile_shows_the_nearest_frame_and_missing_ones_are_marked(
    three_cameras: tuple[Path, dict[str, Recorded]],
) -> None:
    folder, truth = three_cameras
    result = run_post(folder, PostOptions(progress=False))

    aligned = pacsv.read_csv(folder / "post" / "aligned.csv")
    ticks = aligned.column("utc_time_us").to_numpy()
    reference = truth["a"]
    assert np.array_equal(ticks, reference.utc_time_us), "default reference is the first camera's own frames"
    # per camera: half of the longer of the reference interval and the camera's own
    tolerance = {name: max(1e6 / 30, 1e6 / rec.plan.fps) / 2 for name, rec in truth.items()}
    expected = {name: nearest_truth(ticks, rec.utc_time_us, tolerance[name]) for name, rec in truth.items()}
    for name in truth:
        column = aligned.column(name).to_numpy(zero_copy_only=False)
        assert np.array_equal(np.nan_to_num(column, nan=-1).astype(int), expected[name]), name
    assert (expected["b"] < 0).sum() >= 12 + 3, "b starts 410 ms late and dropped 3 frames"
    assert (expected["c"] < 0).any() and (expected["c"] >= 0).any()

    layout = _layout(truth)
    rows = 0
    seen_missing = 0
    for row, (canvas, time_ms) in enumerate(decoded(result.video)):
        assert time_ms == round((ticks[row] - ticks[0]) / 1000)
        for tile in layout.tiles:
            pixels = canvas[tile.top : tile.top + tile.height, tile.left : tile.left + tile.width]
            label = label_region(canvas, tile)
            index = expected[tile.name][row]
            if index >= 0:
                assert read_counter(pixels) == truth[tile.name].content[index], (row, tile.name)
                assert label[..., 2].mean() < 100, "a live tile's label strip is dark"
            else:
                seen_missing += 1
                assert tile_region(canvas, tile).mean() < 8, "a missing tile is black, never another frame"
                assert label[..., 2].mean() > 150 and label[..., 0].mean() < 100, "missing is marked red"
        rows += 1
    assert rows == reference.content.size == result.frames_written
    cameras = {camera["name"]: camera for camera in result.summary["cameras"]}
    assert cameras["b"]["drops"] == 3 and cameras["b"]["drops_from"] == "camera_frame_id"
    assert cameras["c"]["mean_rate_fps"] == pytest.approx(25.0, rel=1e-3)
    assert seen_missing == sum(int((e < 0).sum()) for e in expected.values())


def test_hold_repeats_the_last_frame_and_says_so(tmp_path: Path) -> None:
    plans = [
        CameraPlan("ref", fps=30.0, slots=20, width=160, height=120),
        CameraPlan("gappy", fps=30.0, slots=20, width=160, height=120, drops=(6, 7, 8), start_us=2_000),
    ]
    truth = record_session(tmp_path / "hold", plans)
    result = run_post(tmp_path / "hold", PostOptions(progress=False, missing=PostOptions.parse_missing("hold")))
    layout = _layout(truth)
    gappy = layout.tiles[1]
    expected = nearest_truth(truth["ref"].utc_time_us, truth["gappy"].utc_time_us, 1e6 / 60)
    held = 0
    last = -1
    for row, (canvas, _) in enumerate(decoded(result.video, fmt="gray")):
        pixels = canvas[gappy.top : gappy.top + gappy.height, gappy.left : gappy.left + gappy.width]
        label = label_region(canvas, gappy)
        if expected[row] >= 0:
            last = int(expected[row])
            assert read_counter(pixels) == truth["gappy"].content[last]
            assert label.mean() < 60
        else:
            held += 1
            assert read_counter(pixels) == truth["gappy"].content[last], "hold shows the camera's last frame"
            assert 90 < label.mean() < 170, "and its strip is marked as held"
    assert held == 3


def test_mixed_sizes_and_pixel_formats_share_one_mosaic(tmp_path: Path) -> None:
    plans = [
        CameraPlan("deep", slots=12, width=160, height=120, pixel_format="mono16", codec="ffv1"),
        CameraPlan("colour", slots=12, width=320, height=240, pixel_format="bgr8", start_us=1_000),
    ]
    truth = record_session(tmp_path / "mixed", plans)
    result = run_post(tmp_path / "mixed", PostOptions(progress=False))
    layout = _layout(truth)
    assert (layout.width, layout.height) == (640, 240)
    frames = list(decoded(result.video))
    assert len(frames) == 12
    for row, (canvas, _) in enumerate(frames):
        for tile in layout.tiles:
            pixels = canvas[tile.top : tile.top + tile.height, tile.left : tile.left + tile.width]
            assert read_counter(pixels) == truth[tile.name].content[row]
    report = json.loads((tmp_path / "mixed" / "post" / "report.json").read_text())
    assert [camera["frames"] for camera in report["cameras"]] == [12, 12]
    for plot in ("intervals", "offsets", "drops"):
        image = cv2.imread(str(tmp_path / "mixed" / "post" / "plots" / f"{plot}.png"))
        assert image is not None and image.shape[0] > 100 and image.std() > 10
    assert "| deep | 12 | 0 |" in (tmp_path / "mixed" / "post" / "report.md").read_text()
