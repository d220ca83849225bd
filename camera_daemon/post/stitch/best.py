"""Pick, per aligned frame, the intact one of several redundant copies of one scene.

Sharpness cannot decide: corruption adds edges (garbage blocks, torn slices, JPEG block borders and
the rim of a black area all raise Sobel energy), so the sharpest copy is often the broken one. The
evidence, strongest first:

- completeness: whole rows or columns of black are data that never arrived (padding); the copy with
  the least padding wins outright. A black patch (a quadrant, a band) is missing data too, but a scene
  has black details of its own, so a patch counts only as damage next to another copy and the copy's
  own previous frame, like the other detectors.
- three or more copies: artifact evidence first, then agreement. Damage is not always independent
  between copies: one bad link or decoder can hand two copies the very same broken frame, and two
  identical broken copies agree with each other everywhere. So the agreement's pick loses to a copy
  the detectors flag less, each judged against the other (see _by_agreement); otherwise agreement
  stands: two copies that show the same picture in a 16x16 block are both intact there, and
  the copy that agrees with some other copy in the most blocks wins; the distance to the per-pixel
  median breaks a tie.
- two copies: artifact detectors, each compared with the other copy and with the copy's own previous
  frame, because a scene may well be flat or edgy by itself: flat 4x4 blocks (black or grey areas,
  padding, pixelation), 8x8 blockiness (heavy JPEG), and a jump in fine-detail energy (garbage).

Every decision keeps its evidence and numbers in its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

Gray = npt.NDArray[np.uint8]
DARK_LEVEL = 10.0  # a row or column whose mean is at most this is padding, not picture
_FLAT_STD = 0.5  # a 4x4 block this even is no camera picture: noise alone gives ~1 grey level
_FLAT_MARGIN = 0.02  # share of blocks: more flat blocks than this beyond the other copy is damage
_BLOCKY_RATIO = 1.25  # 8x8 border gradient over interior gradient, relative to the other copy
_PADDING_TIE = 1.0 / 1000  # copies within a row's worth of padding of the best are equally complete
_DARK_PATCH = 8  # a black area at least this many pixels across is missing data, not a dark detail
_TWIN = 0.5  # grey levels from the per-pixel median: this close, two copies show one picture
_ENERGY_JUMP = 1.3  # fine detail over the copy's own previous frame, relative to the other copy


@dataclass(frozen=True)
class CopyScore:
    """One copy's measurements; ``deviation`` is NaN when fewer than three copies are present."""

    deviation: float  # mean absolute difference from the per-pixel median of all copies
    agreement: float  # share of 16x16 blocks where some other copy shows the same picture
    flat: float  # share of 4x4 blocks with no texture at all
    blockiness: float  # 8x8 grid gradient over off-grid gradient
    energy_jump: float  # fine-detail energy over the same copy's previous frame (1.0 without one)
    padding: float  # share of the frame lost to fully dark rows or columns
    flat_before: float = 0.0  # the same measures on the copy's last frame judged intact
    blockiness_before: float = 0.0
    dark: float = 0.0  # share of the frame in black patches at least 8x8 pixels
    dark_before: float = 0.0


def padding_fraction(frame: Gray) -> float:
    """Share of the frame lost to fully dark rows or columns, the mark of missing data."""
    height, width = frame.shape[:2]
    dark_rows = int((frame.mean(axis=1) <= DARK_LEVEL).sum())
    dark_columns = int((frame.mean(axis=0) <= DARK_LEVEL).sum())
    return float(1.0 - (1.0 - dark_rows / height) * (1.0 - dark_columns / width))


def dark_fraction(frame: Gray) -> float:
    """Share of the frame in black patches at least 8x8 pixels: a black quadrant or band leaves every
    row and column partly lit, so padding does not see it, yet its pixels are as lost."""
    dark = (frame <= DARK_LEVEL).astype(np.uint8)
    kernel = np.ones((_DARK_PATCH, _DARK_PATCH), np.uint8)
    return float(cv2.morphologyEx(dark, cv2.MORPH_OPEN, kernel, borderType=cv2.BORDER_REPLICATE).mean())


def flat_fraction(frame: Gray) -> float:
    rows, columns = frame.shape[0] // 4 * 4, frame.shape[1] // 4 * 4
    blocks = frame[:rows, :columns].astype(np.float32).reshape(rows // 4, 4, columns // 4, 4)
    return float((blocks.std(axis=(1, 3)) < _FLAT_STD).mean())


def blockiness(frame: Gray) -> float:
    """Mean horizontal and vertical step across 8x8 borders over the mean step elsewhere."""
    pixels = frame.astype(np.float32)
    across = np.abs(np.diff(pixels, axis=1))
    down = np.abs(np.diff(pixels, axis=0))
    on_grid = np.concatenate([across[:, 7::8].ravel(), down[7::8, :].ravel()])
    off_grid = np.concatenate(
        [np.delete(across, np.s_[7::8], axis=1).ravel(), np.delete(down, np.s_[7::8], axis=0).ravel()]
    )
    return float(on_grid.mean() / max(float(off_grid.mean()), 1e-3))


def detail_energy(frame: Gray) -> float:
    """Mean squared Laplacian: what garbage adds most of."""
    return float(np.mean(np.square(cv2.Laplacian(frame, cv2.CV_32F))))


def block_diffs(a: Gray, b: Gray) -> npt.NDArray[np.float32]:
    """Mean absolute difference per 16x16 block."""
    rows, columns = a.shape[0] // 16 * 16, a.shape[1] // 16 * 16
    diff = np.abs(a[:rows, :columns].astype(np.float32) - b[:rows, :columns].astype(np.float32))
    return diff.reshape(rows // 16, 16, columns // 16, 16).mean(axis=(1, 3))  # type: ignore[return-value]


def agreement(frames: list[Gray]) -> list[float]:
    """Per copy, the share of blocks where at least one other copy matches it within the noise of the
    closest pair of copies (floored at 4 grey levels, a codec's worth)."""
    pairs = {(i, j): block_diffs(frames[i], frames[j]) for i in range(len(frames)) for j in range(i + 1, len(frames))}
    limit = max(4.0, 3.0 * min(float(np.median(diffs)) for diffs in pairs.values()))
    agreed = [np.zeros_like(next(iter(pairs.values())), dtype=bool) for _ in frames]
    for (i, j), diffs in pairs.items():
        agreed[i] |= diffs <= limit
        agreed[j] |= diffs <= limit
    return [float(mask.mean()) for mask in agreed]


def score_copies(frames: list[Gray | None], previous: list[Gray | None]) -> list[CopyScore | None]:
    present = [frame for frame in frames if frame is not None]
    median = np.median(np.stack(present), axis=0) if len(present) >= 3 else None
    agreed = iter(agreement(present)) if len(present) >= 3 else None
    scores: list[CopyScore | None] = []
    for frame, before in zip(frames, previous, strict=True):
        if frame is None:
            scores.append(None)
            continue
        deviation = float(np.abs(frame - median).mean()) if median is not None else float("nan")
        agrees = next(agreed) if agreed is not None else float("nan")
        jump = detail_energy(frame) / max(detail_energy(before), 1e-3) if before is not None else 1.0
        measures = (flat_fraction(frame), blockiness(frame), jump, padding_fraction(frame))
        before_measures = (flat_fraction(before), blockiness(before)) if before is not None else measures[:2]
        dark = dark_fraction(frame)
        dark_before = dark_fraction(before) if before is not None else dark
        scores.append(CopyScore(deviation, agrees, *measures, *before_measures, dark, dark_before))
    return scores


@dataclass(frozen=True)
class BestDecision:
    winner: int  # copy index, -1 when no copy has a frame at this tick
    reason: str
    clean: tuple[int, ...] = ()  # copies judged intact: the next frame's detail is measured against them


def _flags(score: CopyScore, other: CopyScore) -> list[str]:
    """What makes ``score`` look damaged next to ``other`` (two-copy evidence)."""
    flags = []
    if score.flat > max(other.flat, score.flat_before) + _FLAT_MARGIN:
        flags.append(f"flat blocks {score.flat:.1%} vs {other.flat:.1%} (own previous {score.flat_before:.1%})")
    if score.dark > max(other.dark, score.dark_before) + _FLAT_MARGIN:
        flags.append(f"black area {score.dark:.1%} vs {other.dark:.1%} (own previous {score.dark_before:.1%})")
    if score.blockiness > max(other.blockiness, score.blockiness_before) * _BLOCKY_RATIO:
        before = f"own previous {score.blockiness_before:.2f}"
        flags.append(f"8x8 blockiness {score.blockiness:.2f} vs {other.blockiness:.2f} ({before})")
    if score.energy_jump > _ENERGY_JUMP and score.energy_jump > other.energy_jump * _ENERGY_JUMP:
        flags.append(f"detail jumped x{score.energy_jump:.2f} over its previous frame vs x{other.energy_jump:.2f}")
    return flags


def _by_agreement(present: list[tuple[int, CopyScore]], names: list[str], copies: int) -> BestDecision:
    """Most blocks shared with another copy; between equals, fewer artifacts, then nearest the median.
    Then the artifact veto: a copy the detectors clear against the agreement's pick, while they flag
    the pick against it, wins instead. When the pick has a twin (two copies at the per-pixel median:
    the same picture twice, as the same damage gives) fewer flags are enough, since their agreement
    is no evidence. Otherwise one flag keeps the pick: in a lossy recording an intact copy inherits
    some of its previous frame's damage by prediction and draws weak flags of its own."""
    top = max(score.agreement for _, score in present)
    tied = [(index, score) for index, score in present if score.agreement >= top - 0.02]

    def artifacts(item: tuple[int, CopyScore]) -> int:
        return sum(len(_flags(item[1], other)) for index, other in tied if index != item[0])

    winner, best = min(tied, key=lambda item: (artifacts(item), item[1].deviation, item[0]))
    clean = tuple(index for index, _ in tied if artifacts((index, _)) == 0)
    flagged = {index: _flags(best, score) for index, score in present if index != winner}
    twin = any(index != winner and score.deviation <= _TWIN for index, score in present) and best.deviation <= _TWIN
    cleared = [
        (index, score)
        for index, score in present
        if index != winner and flagged[index] and len(_flags(score, best)) < (len(flagged[index]) if twin else 1)
    ]
    if cleared:
        vetoed, flags = names[winner], "; ".join(flagged[min(cleared, key=_rank)[0]])
        winner, best = min(cleared, key=_rank)
        veto = f"{vetoed} damaged: {flags} (though another copy agrees with it); "
        clean = (winner,)
    else:
        veto = ""
    others = ", ".join(f"{names[i]} {s.agreement:.0%}/{s.deviation:.2f}" for i, s in present if i != winner)
    return BestDecision(
        winner,
        f"{veto}agrees best with the other copies (blocks matched / distance to the median of {copies} "
        f"copies): {best.agreement:.0%}/{best.deviation:.2f} vs {others}",
        clean or (winner,),
    )


def _rank(item: tuple[int, CopyScore]) -> tuple[float, float, int]:
    return (-item[1].agreement, item[1].deviation, item[0])


def choose_best(scores: list[CopyScore | None], names: list[str]) -> BestDecision:
    """Completeness first, then agreement (three or more copies) or artifact detectors (two)."""
    present = [(index, score) for index, score in enumerate(scores) if score is not None]
    if not present:
        return BestDecision(-1, "no copy has a frame at this time")
    if len(present) == 1:
        return BestDecision(present[0][0], f"only {names[present[0][0]]} has a frame at this time", (present[0][0],))
    least = min(score.padding for _, score in present)
    complete = [(index, score) for index, score in present if score.padding <= least + _PADDING_TIE]
    if len(complete) == 1:
        winner = complete[0][0]
        others = ", ".join(f"{names[i]} {s.padding:.1%}" for i, s in present if i != winner)
        return BestDecision(winner, f"least black padding: {least:.1%} vs {others}", (winner,))
    if len(complete) >= 2 and not np.isnan(complete[0][1].agreement):
        return _by_agreement(complete, names, len(present))
    (first, a), (second, b) = complete[:2]
    flags = {first: _flags(a, b), second: _flags(b, a)}
    winner = min((first, second), key=lambda index: (len(flags[index]), index))
    loser = second if winner == first else first
    clean = tuple(index for index in (first, second) if not flags[index])
    padded = f"padding tied at {least:.1%}; " if least > 0 else ""
    if flags[loser] and not flags[winner]:
        return BestDecision(winner, f"{padded}{names[loser]} damaged: {'; '.join(flags[loser])}", clean)
    if not flags[loser]:
        return BestDecision(winner, f"{padded}no artifact in either copy; first copy kept", clean)
    return BestDecision(winner, f"{padded}both look damaged; fewer artifacts: {'; '.join(flags[winner])}", clean)
