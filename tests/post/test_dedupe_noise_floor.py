"""Dedupe on slow noisy scenes: no distinct exposure is lost, and repeats are found however they were stored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pytest

from camera_daemon.post.options import PostOptions, StitchMode
from camera_daemon.post.stitch.mosaic import Missing
from camera_daemon.post.workflow import run_post

from scenes import RepeatScene, drifting, with_repeats, write_session

SPEEDS = (0.25, 0.5, 1.0, 2.0)


def _scene(speed: float, kind: str, seed: int) -> RepeatScene:
    return with_repeats(drifting(90, 160, 120, speed, 1.0, seed), 6, kind, seed + 1)


def _dropped(folder: Path) -> tuple[set[int], list[str]]:
    table = pacsv.read_csv(folder / "post" / "dedupe.csv")
    rows = table.column("source_frame_index" if "source_frame_index" in table.column_names else "aligned_row")
    return set(rows.to_pylist()), table.column("evidence").to_pylist()


@pytest.mark.parametrize("speed", SPEEDS)
def test_no_distinct_frame_is_dropped_and_every_repeat_is_found(tmp_path: Path, speed: float) -> None:
    """Lossless recording, no frame counter: pixels against the noise floor decide alone."""
    identical = _scene(speed, "identical", 10)
    jpeg = _scene(speed, "jpeg", 20)
    frames = identical.frames + jpeg.frames
    offset = len(identical.frames)
    ids = np.full(len(frames), -1)
    write_session(tmp_path / "s", {"cam": frames}, codec="ffv1", frame_ids={"cam": ids})

    run_post(tmp_path / "s", PostOptions(mode=StitchMode.concat, dedupe=True, progress=False))
    dropped, evidence = _dropped(tmp_path / "s")
    jpeg_repeats = {offset + row for row in jpeg.repeats}
    assert dropped - identical.repeats - jpeg_repeats == set(), "no distinct exposure is dropped"
    assert identical.repeats <= dropped, "every byte-identical repeat is found"
    assert len(dropped & jpeg_repeats) >= 0.95 * len(jpeg_repeats), "JPEG q80 repeats are found"
    assert set(evidence) == {"pixels"}


@pytest.mark.parametrize("speed", (0.25, 2.0))
def test_repeats_through_the_recordings_h264_are_found_by_frame_id(tmp_path: Path, speed: float) -> None:
    """h264 crf 23, keyframe every 30: a repeated row keeps its twin's camera_frame_id; distinct rows advance."""
    scene = _scene(speed, "identical", 30)
    write_session(tmp_path / "s", {"cam": scene.frames}, codec="h264", frame_ids={"cam": scene.source})

    run_post(tmp_path / "s", PostOptions(mode=StitchMode.concat, dedupe=True, progress=False, debug=True))
    dropped, evidence = _dropped(tmp_path / "s")
    assert dropped == set(scene.repeats)
    assert set(evidence) == {"camera_frame_id"}
    every = pacsv.read_csv(tmp_path / "s" / "post" / "dedupe.decisions.csv")
    assert every.num_rows == len(scene.frames)


def test_verdicts_do_not_depend_on_the_output_codec(tmp_path: Path) -> None:
    """A mosaic's h264 output takes studio range; the verdicts must still be made on full-range source pixels."""
    scene = with_repeats(drifting(90, 160, 120, 0.5, 1.0, 40), 6, "identical", 41)
    write_session(
        tmp_path / "s", {"cam": scene.frames}, codec="ffv1", frame_ids={"cam": np.full(len(scene.frames), -1)}
    )
    verdicts = {}
    for codec in ("h264", "ffv1"):
        options = PostOptions(dedupe=True, progress=False, codec=codec, missing=Missing.black)
        run_post(tmp_path / "s", options, force=True)
        verdicts[codec] = _dropped(tmp_path / "s")[0]
    assert verdicts["h264"] == verdicts["ffv1"] == set(scene.repeats)


def test_cli_reports_repeats_and_rejects_a_bad_fraction(tmp_path: Path) -> None:
    scene = _scene(1.0, "identical", 50)
    write_session(
        tmp_path / "s", {"cam": scene.frames}, codec="ffv1", frame_ids={"cam": np.full(len(scene.frames), -1)}
    )
    camd = [str(Path(sys.executable).parent / "camd"), "stitch", str(tmp_path / "s"), "-q"]
    done = subprocess.run([*camd, "--mode", "concat", "--dedupe"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    kept = len(scene.frames) - len(scene.repeats)
    assert f"{kept} frames from {len(scene.frames)} frames of camera cam in 1 recording(s)" in done.stdout
    assert f"{len(scene.repeats)} repeats dropped" in done.stdout

    bad = subprocess.run([*camd, "--dedupe", "--force", "--dedupe-fraction", "3"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "camd: error: --dedupe-fraction 3: give a share of the noise floor in (0, 1]"
    ]
