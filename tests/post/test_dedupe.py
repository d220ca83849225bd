"""Dedupe: exactly the repeated frames go, even where distinct frames are a few pHash bits apart."""

from pathlib import Path

import imagehash
import numpy as np
import pyarrow.csv as pacsv
from PIL import Image

from camera_daemon.cameras.framecode import read_counter
from camera_daemon.post.dedupe import Deduper, DedupeSettings, hamming, phash_batch
from camera_daemon.post.options import PostOptions, StitchMode
from camera_daemon.post.workflow import run_post

from readback import decoded
from sessions import CameraPlan, record_session, render_frames

REPEATS = (7, 8, 20, 33, 45)
# ffv1: the repeats carry advanced frame ids (a re-sent buffer), which only a lossless video can prove
SLOW = CameraPlan("slow", fps=30.0, slots=60, scene="slow", repeats=REPEATS, codec="ffv1")


def test_vectorised_phash_agrees_with_imagehash() -> None:
    frames = render_frames(CameraPlan("x", slots=1, width=640, height=480, scene="slow"), np.arange(0, 1600, 16))
    ours = phash_batch(frames)
    reference = np.array([int(str(imagehash.phash(Image.fromarray(f))), 16) for f in frames], dtype=np.uint64)
    distance = hamming(ours, reference)
    assert distance.mean() <= 1.5 and distance.max() <= 6
    pairwise_ours = hamming(ours[:, None], ours[None, :]).ravel()
    pairwise_reference = hamming(reference[:, None], reference[None, :]).ravel()
    assert np.corrcoef(pairwise_ours, pairwise_reference)[0, 1] > 0.95


def test_slow_scene_has_distinct_frames_the_hash_alone_would_merge() -> None:
    contents = np.arange(0, 40)
    hashes = phash_batch(render_frames(SLOW, contents))
    assert (hamming(hashes[1:], hashes[:-1]) <= DedupeSettings().hash_distance).sum() >= 10


def test_dedupe_removes_exactly_the_injected_repeats(tmp_path: Path) -> None:
    truth = record_session(tmp_path / "slow", [SLOW])["slow"]
    options = PostOptions(mode=StitchMode.concat, dedupe=True, progress=False, debug=True)
    result = run_post(tmp_path / "slow", options)

    repeated = [i for i in range(1, truth.content.size) if truth.content[i] == truth.content[i - 1]]
    assert len(repeated) == len(REPEATS)
    report = pacsv.read_csv(tmp_path / "slow" / "post" / "dedupe.csv")
    assert report.column("source_frame_index").to_pylist() == repeated
    twins = report.column("twin_source_frame_index").to_pylist()
    assert [truth.content[t] for t in twins] == [truth.content[i] for i in repeated]
    assert set(report.column("evidence").to_pylist()) == {"pixels"}

    counters = [read_counter(pixels) for pixels, _ in decoded(result.video, fmt="gray")]
    kept = [int(c) for i, c in enumerate(truth.content) if i not in repeated]
    assert counters == kept, "every distinct frame survives, in order"
    table = pacsv.read_csv(tmp_path / "slow" / "post" / "concat.timestamps.csv")
    assert table.column("source_frame_index").to_pylist() == [i for i in range(truth.content.size) if i not in repeated]
    every = pacsv.read_csv(tmp_path / "slow" / "post" / "dedupe.decisions.csv")
    assert every.num_rows == truth.content.size
    assert (tmp_path / "slow" / "post" / "dedupe.compare.mkv").stat().st_size > 0


def test_deduper_keeps_a_small_local_change() -> None:
    frames = render_frames(CameraPlan("x", slots=1, width=320, height=240, scene="slow"), np.zeros(3, dtype=int))
    frames[2] = frames[2].copy()
    frames[2][200:216, 100:116] //= 2
    decisions = Deduper().feed(frames, [0, 1, 2])
    assert [d.dropped for d in decisions] == [False, True, False]
    assert decisions[2].hash_distance <= DedupeSettings().hash_distance, "the hash cannot see it..."
    assert "above" in decisions[2].reason, "...the block check does"
