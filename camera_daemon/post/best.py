"""Pick, per aligned frame, the best of several redundant copies of one scene.

Lost data shows up as black padding (rows or columns that arrived empty), so padding is scored first
and decides whenever the copies differ by more than a row's worth; only between equally intact copies
does Sobel edge energy (sharpness) break the tie. Every decision is recorded with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

Gray = npt.NDArray[np.uint8]
DARK_LEVEL = 10.0  # a row or column whose mean is at most this is padding, not picture


@dataclass(frozen=True)
class CopyScore:
    """How intact one copy is: fraction of dark rows/columns (lower is better) and edge energy."""

    padding: float
    edge_energy: float


def padding_fraction(frame: Gray) -> float:
    """Share of the frame lost to fully dark rows or columns, the mark of missing data."""
    height, width = frame.shape[:2]
    dark_rows = int((frame.mean(axis=1) <= DARK_LEVEL).sum())
    dark_columns = int((frame.mean(axis=0) <= DARK_LEVEL).sum())
    return float(1.0 - (1.0 - dark_rows / height) * (1.0 - dark_columns / width))


def edge_energy(frame: Gray) -> float:
    """Mean Sobel gradient magnitude squared: higher means sharper, less smeared."""
    gx = cv2.Sobel(frame, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(frame, cv2.CV_32F, 0, 1, ksize=3)
    return float(np.mean(gx * gx + gy * gy))


def score_copy(frame: Gray) -> CopyScore:
    return CopyScore(padding_fraction(frame), edge_energy(frame))


@dataclass(frozen=True)
class BestDecision:
    winner: int  # copy index, -1 when no copy has a frame at this tick
    reason: str


def choose_best(scores: list[CopyScore | None], names: list[str]) -> BestDecision:
    """Least padding wins; copies within one row of padding of the best are tied, and edge energy decides."""
    present = [(index, score) for index, score in enumerate(scores) if score is not None]
    if not present:
        return BestDecision(-1, "no copy has a frame at this time")
    if len(present) == 1:
        return BestDecision(present[0][0], f"only {names[present[0][0]]} has a frame at this time")
    least = min(score.padding for _, score in present)
    tie_margin = 1.0 / 1000
    intact = [(index, score) for index, score in present if score.padding <= least + tie_margin]
    winner, best = max(intact, key=lambda item: (item[1].edge_energy, -item[0]))
    others = ", ".join(f"{names[index]} {score.padding:.1%}" for index, score in present if index != winner)
    if len(intact) == 1:
        return BestDecision(winner, f"least black padding: {best.padding:.1%} vs {others}")
    tied = ", ".join(f"{names[index]} {score.edge_energy:.0f}" for index, score in intact if index != winner)
    return BestDecision(
        winner, f"padding tied at {best.padding:.1%}; highest edge energy {best.edge_energy:.0f} vs {tied}"
    )
