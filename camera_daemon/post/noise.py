"""How different two frames are, and how different consecutive frames of this recording usually are.

Two exposures of the same scene never match: each carries its own sensor noise, so consecutive
distinct frames differ by at least that noise even when nothing moves. A repeat (the same exposure
again, possibly through a lossy codec) differs only by the codec's rounding. So the yardstick is the
recording's own noise floor, the median difference between consecutive frames nearby, and not a fixed
number of grey levels that is too strict for one camera and too loose for the next.

Scores are measured on every second pixel of every second row: the statistics of noise do not need
every pixel, and this keeps a score at a fraction of a millisecond for a 640x480 frame. Block scores
use 8x8 blocks of that grid (16x16 pixels of the frame) and are kept as floats, so a fraction of a
grey level still counts.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

Gray = npt.NDArray[np.uint8]
_BLOCK = 8  # on the half-resolution grid: 16x16 pixels of the frame
WINDOW = 128  # consecutive pairs the floor is the median of: a few seconds of recording


@dataclass(frozen=True)
class PairScore:
    """Mean absolute difference over the frame and over its worst 16x16 block, in grey levels."""

    mean: float
    worst_block: float

    def within(self, limit: PairScore) -> bool:
        return self.mean <= limit.mean and self.worst_block <= limit.worst_block


def pair_score(a: Gray, b: Gray) -> PairScore:
    """Difference of two frames of one size; the worst block catches a change a whole-frame mean hides."""
    diff = cv2.absdiff(np.ascontiguousarray(a[::2, ::2]), np.ascontiguousarray(b[::2, ::2]))  # exact, uint8
    rows, columns = diff.shape
    blocks_down, blocks_across = max(rows // _BLOCK, 1), max(columns // _BLOCK, 1)
    if rows >= _BLOCK and columns >= _BLOCK:
        cropped = diff[: blocks_down * _BLOCK, : blocks_across * _BLOCK].astype(np.float32)
        # area averaging in float32: block means keep their fractions of a grey level
        blocks = cv2.resize(cropped, (blocks_across, blocks_down), interpolation=cv2.INTER_AREA)
        worst = float(blocks.max())
    else:
        worst = float(diff.mean())
    return PairScore(float(diff.mean()), worst)


class NoiseFloor:
    """Running median of consecutive-pair scores over the last ``WINDOW`` pairs.

    Repeats are a minority of pairs in any recording worth deduplicating, so the median is a distinct
    pair's difference; if repeats ever become the majority (a frozen camera) the floor sinks towards
    zero and dedupe only drops frames that are nearly identical, never more.
    """

    def __init__(self, window: int = WINDOW) -> None:
        self._means: deque[float] = deque(maxlen=window)
        self._blocks: deque[float] = deque(maxlen=window)
        self._previous: Gray | None = None

    def observe(self, frames: list[Gray]) -> None:
        for frame in frames:
            if self._previous is not None and self._previous.shape == frame.shape:
                score = pair_score(frame, self._previous)
                self._means.append(score.mean)
                self._blocks.append(score.worst_block)
            self._previous = frame

    @property
    def floor(self) -> PairScore:
        """The typical difference of consecutive frames now; zero before any pair was seen."""
        if not self._means:
            return PairScore(0.0, 0.0)
        return PairScore(float(np.median(self._means)), float(np.median(self._blocks)))

    @property
    def spread(self) -> PairScore:
        """How far distinct pairs fall below the floor: the median shortfall of the pairs under it,
        scaled to a standard deviation (1.4826). Only the lower side counts: a worst-block score is a
        maximum and has a long upper tail that says nothing about how close a distinct pair can come."""
        if not self._means:
            return PairScore(0.0, 0.0)
        floor = self.floor
        return PairScore(_shortfall(self._means, floor.mean), _shortfall(self._blocks, floor.worst_block))


def _shortfall(scores: deque[float], floor: float) -> float:
    below = floor - np.asarray(scores)
    below = below[below > 0]
    return 1.4826 * float(np.median(below)) if below.size else 0.0
