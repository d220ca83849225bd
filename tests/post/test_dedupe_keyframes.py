"""Dedupe on a textured scene at 0.25 px per frame: a lossy recording without frame ids loses no
exposure (least of all the frame after a keyframe), and a lossless colour one finds JPEG q80 repeats."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pytest

from camera_daemon.post.dedupe import Deduper, Gop
from camera_daemon.post.options import PostOptions, StitchMode
from camera_daemon.post.workflow import run_post

from scenes import RepeatScene, jpeg, textured, write_session

ROWS = 100  # x264 puts keyframes at rows 0, 30, 60 and 90 (g=30, no scene cut on a slow drift)


def _scene(colour: bool, kind: str, seed: int) -> RepeatScene:
    """Roughly one repeat in eight exposures, never two in a row, never in the first four rows."""
    rng = np.random.default_rng(seed)
    frames, source, repeats = [], [], set()
    for index, exposure in enumerate(textured(ROWS, 320, 240, 0.25, seed, colour)):
        frames.append(exposure)
        source.append(index)
        if index > 3 and rng.integers(0, 8) == 0:
            repeats.add(len(frames))
            frames.append(exposure.copy() if kind == "identical" else jpeg(exposure, 80))
            source.append(index)
    return RepeatScene(frames, np.array(source), frozenset(repeats))


def _dedupe(folder: Path, scene: RepeatScene, codec: str) -> tuple[set[int], dict[int, str]]:
    ids = np.full(len(scene.frames), -1)
    write_session(folder, {"cam": scene.frames}, codec=codec, frame_ids={"cam": ids})
    run_post(folder, PostOptions(mode=StitchMode.mosaic, dedupe=True, time_overlay=False, debug=True, progress=False))
    dropped = pacsv.read_csv(folder / "post" / "dedupe.csv").column("row").to_pylist()
    verdicts = pacsv.read_csv(folder / "post" / "dedupe.decisions.csv")
    evidence = dict(zip(verdicts.column("row").to_pylist(), verdicts.column("evidence").to_pylist(), strict=True))
    return set(dropped), evidence


@pytest.mark.parametrize("colour", [False, True])
def test_lossy_recording_without_ids_drops_no_exposure(tmp_path: Path, colour: bool) -> None:
    scene = _scene(colour, "identical", 3)
    dropped, evidence = _dedupe(tmp_path / "s", scene, "h264")

    assert dropped <= scene.repeats, f"distinct exposures dropped: {sorted(dropped - scene.repeats)}"
    after_keyframes = [row for row in (1, 31, 61, 91) if row not in scene.repeats]
    assert [evidence[row] for row in after_keyframes] == ["keyframe"] * len(after_keyframes)


@pytest.mark.parametrize("colour", [False, True])
def test_lossless_recording_finds_jpeg_repeats_of_a_slow_scene(tmp_path: Path, colour: bool) -> None:
    scene = _scene(colour, "jpeg", 5)
    dropped, _ = _dedupe(tmp_path / "s", scene, "ffv1")

    assert dropped <= scene.repeats, f"distinct exposures dropped: {sorted(dropped - scene.repeats)}"
    assert len(dropped) >= 0.95 * len(scene.repeats), f"found {len(dropped)} of {len(scene.repeats)} repeats"


def test_identical_pixels_across_a_keyframe_of_a_lossy_video_are_two_frames() -> None:
    """Only inside one GOP, past its keyframe, do equal pixels of a lossy video prove a repeat."""
    first, second = textured(2, 64, 48, 0.5, 1)
    still = [first, second, second, second, second]
    gops = [Gop((0,), True), Gop((0,), False), Gop((0,), False), Gop((3,), True), Gop((3,), False)]
    verdicts = Deduper(lossy=True).feed(still, list(range(5)), None, gops)

    evidence = [(v.dropped, v.evidence) for v in verdicts[1:]]
    assert evidence == [(False, "keyframe"), (True, "pixels"), (False, "keyframe"), (False, "keyframe")]
    lossless = Deduper(lossy=False).feed(still, list(range(5)), None, gops)
    assert [v.dropped for v in lossless] == [False, False, True, True, True]
