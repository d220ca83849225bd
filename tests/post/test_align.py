"""Alignment and trimming on plain arrays."""

import numpy as np
import pytest

from camera_daemon.post.align import Reference, align, count_drops, fixed_rate_ticks, nearest_within
from camera_daemon.post.errors import PostError
from camera_daemon.post.trim import TrimRange, trim_mask

from readback import nearest_truth


def test_nearest_within_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    times = np.cumsum(rng.integers(20_000, 50_000, size=300)).astype(np.int64)
    ticks = np.arange(times[0] - 100_000, times[-1] + 100_000, 33_333, dtype=np.int64)
    chosen, offset = nearest_within(ticks, times, 16_666)
    assert np.array_equal(chosen, nearest_truth(ticks, times, 16_666))
    present = chosen >= 0
    assert np.array_equal(offset[present], times[chosen[present]] - ticks[present])
    assert np.all(np.diff(chosen[present]) >= 0), "indices never go back, so videos decode front to back"


def test_tie_goes_to_the_earlier_frame() -> None:
    chosen, _ = nearest_within(np.array([150]), np.array([100, 200]), 60)
    assert chosen[0] == 0


def test_fixed_rate_does_not_drift() -> None:
    ticks = fixed_rate_ticks(0, 3_600_000_000, 29.97)
    assert abs(ticks[-1] - round((ticks.size - 1) * 1e6 / 29.97)) <= 1


def test_reference_parsing() -> None:
    assert Reference.parse("", ["a", "b"]).camera == "a"
    assert Reference.parse("b", ["a", "b"]).camera == "b"
    assert Reference.parse("29.97fps", ["a"]).rate_fps == pytest.approx(29.97)
    with pytest.raises(PostError, match="neither a camera"):
        Reference.parse("c", ["a", "b"])


def test_align_reports_missing_never_invents() -> None:
    times = {"a": np.array([0, 33_333, 66_667, 100_000]), "b": np.array([70_000])}
    aligned = align(times, Reference(camera="a"))
    assert aligned.column("b").tolist() == [-1, -1, 0, -1]
    with pytest.raises(PostError, match="backwards"):
        align({"a": np.array([0, 10, 5])}, Reference(camera="a"))


def test_drops_from_counter_or_intervals() -> None:
    times = np.arange(10) * 33_333
    assert count_drops(np.array([0, 1, 2, 5, 6, 7, 8, 9, 10, 11]), times)[:2] == (2, "camera_frame_id")
    gappy = np.delete(np.arange(12) * 33_333, [3, 4, 9])
    assert count_drops(np.full(gappy.size, -1), gappy)[:2] == (3, "intervals")


def test_trim_ranges() -> None:
    ticks = np.arange(10, dtype=np.int64) * 100_000 + 5_000_000
    assert trim_mask(ticks, TrimRange.parse("2:5")).nonzero()[0].tolist() == [2, 3, 4]
    assert trim_mask(ticks, TrimRange.parse("0.3s:0.5s")).nonzero()[0].tolist() == [3, 4]
    assert trim_mask(ticks, TrimRange.parse(f"utc:{5_800_000}:")).nonzero()[0].tolist() == [8, 9]
    assert trim_mask(ticks, TrimRange.parse("")).all()
    with pytest.raises(PostError, match="selects no frame"):
        trim_mask(ticks, TrimRange.parse("20:30"))
