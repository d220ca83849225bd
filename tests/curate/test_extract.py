"""camd extract on real recordings: the images hold the frames the table says, by decoded frame code."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import cv2
import numpy as np
from conftest import BLOCK

from camera_daemon.cameras.framecode import read_counter
from camera_daemon.curate.timeline import iso

from recordings import camd, table


def rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "extracted.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def codes(folder: Path, camera: str) -> list[int]:
    return [
        read_counter(cv2.imread(str(folder / row["image"]), cv2.IMREAD_UNCHANGED))
        for row in rows(folder)
        if row["camera"] == camera
    ]


def test_every_tenth_frame_has_codes_0_10_20(recorded: Path, tmp_path: Path) -> None:
    out = tmp_path / "every"
    result = camd("extract", str(recorded), "--every", "10", "--output", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    for camera in ("left", "right"):
        frames = table(recorded, camera)["frame_index"].size
        assert codes(out, camera) == list(range(0, frames, 10))
    first = rows(out)[0]
    assert re.fullmatch(r"left_000000_\d{8}T\d{6}\.\d{6}Z\.png", first["image"])
    utc = table(recorded, "left")["utc_time_us"]
    assert int(first["utc_time_us"]) == int(utc[0]) and first["utc_iso"] == iso(int(utc[0]))
    again = camd("extract", str(recorded), "--every", "10", "--output", str(out))
    assert again.returncode == 3
    assert len(again.stderr.strip().splitlines()) == 1 and "--force" in again.stderr


def test_times_and_utc_pick_the_nearest_logged_frame(recorded: Path, tmp_path: Path) -> None:
    utc = table(recorded, "left")["utc_time_us"]
    start = min(int(table(recorded, name)["utc_time_us"][0]) for name in ("left", "right"))
    expected = [int(np.argmin(np.abs(utc - (start + seconds * 1e6)))) for seconds in (0.5, 1.25)]
    out = tmp_path / "times"
    result = camd("extract", str(recorded), "--camera", "left", "--times", "0.5,1.25", "--output", str(out), "-q")
    assert result.returncode == 0, result.stderr
    assert codes(out, "left") == expected
    # A frame with no neighbour within 10 ms: 2 ms after it is nearest to it, even where a busy
    # machine delivered other frames in bursts.
    gaps = np.diff(utc)
    index = next(k for k in range(10, utc.size - 1) if gaps[k - 1] > 10_000 and gaps[k] > 10_000)
    out = tmp_path / "utc"
    result = camd(
        "extract", str(recorded), "--camera", "left", "--utc", iso(int(utc[index]) + 2000), "--output", str(out), "-q"
    )
    assert result.returncode == 0, result.stderr
    assert codes(out, "left") == [index]


def test_a_time_with_no_frame_near_it_is_refused(recorded: Path, tmp_path: Path) -> None:
    result = camd("extract", str(recorded), "--utc", "2001-01-01T00:00:00Z", "--output", str(tmp_path / "x"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "camd: error: --utc 2001-01-01T00:00:00Z: camera 'left' has no frame"
    )
    assert not (tmp_path / "x" / "extracted.csv").exists()


def test_sixteen_bit_camera_gives_sixteen_bit_images(deep: Path, tmp_path: Path) -> None:
    frames = table(deep, "deep")["frame_index"].size
    for fmt in ("png", "tiff"):
        out = tmp_path / fmt
        result = camd("extract", str(deep), "--every", "5", "--format", fmt, "--output", str(out), "-q")
        assert result.returncode == 0, result.stderr
        images = [cv2.imread(str(out / row["image"]), cv2.IMREAD_UNCHANGED) for row in rows(out)]
        assert all(image.dtype == np.uint16 for image in images)
        assert max(int(image.max()) for image in images) > 255
        assert codes(out, "deep") == list(range(0, frames, 5))
    refused = camd("extract", str(deep), "--every", "5", "--format", "jpg", "--output", str(tmp_path / "j"))
    assert refused.returncode == 2
    assert (
        refused.stderr.strip() == "camd: error: --format jpg cannot hold camera 'deep''s 16-bit pixels; use png or tiff"
    )


def test_diverse_frames_cover_every_scene(scenes: tuple[Path, np.ndarray], tmp_path: Path) -> None:  # type: ignore[type-arg]
    folder, truth = scenes
    out = tmp_path / "diverse"
    result = camd("extract", str(folder), "--diverse", "3", "--output", str(out), "-q")
    assert result.returncode == 0, result.stderr
    picked = [int(row["frame_index"]) for row in rows(out)]
    assert len(picked) == 3 and sorted(truth[picked].tolist()) == [0, 1, 2]


def test_dedupe_keeps_every_scene_change(scenes: tuple[Path, np.ndarray], tmp_path: Path) -> None:  # type: ignore[type-arg]
    folder, truth = scenes
    out = tmp_path / "dedupe"
    result = camd("extract", str(folder), "--every", "1", "--dedupe", "--output", str(out), "-q")
    assert result.returncode == 0, result.stderr
    kept = [int(row["frame_index"]) for row in rows(out)]
    assert set(range(0, truth.size, BLOCK)) <= set(kept)
    assert len(kept) < truth.size // 2
    assert sorted(path.name for path in out.glob("*.png")) == sorted(row["image"] for row in rows(out))


def test_fps_takes_the_frame_nearest_each_tick(recorded: Path, tmp_path: Path) -> None:
    utc = table(recorded, "left")["utc_time_us"]
    ticks = np.arange(int(utc[0]), int(utc[-1]) + 1, 1e6 / 6)
    expected = sorted({int(np.argmin(np.abs(utc - tick))) for tick in ticks})
    out = tmp_path / "fps"
    result = camd(
        "extract", str(recorded), "--camera", "left", "--fps", "6", "--format", "jpg", "--output", str(out), "-q"
    )
    assert result.returncode == 0, result.stderr
    assert codes(out, "left") == expected
    assert len(expected) >= 10
