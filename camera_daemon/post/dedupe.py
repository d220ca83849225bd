"""Find frames that repeat the previous kept frame: a cheap hash proposes, a pixel check decides.

pHash is computed for a whole batch at once (area resize to 32x32, then the 8x8 low-frequency DCT as
two small matrix products), which is several times faster than imagehash per frame while following
the same recipe. A hash alone cannot be trusted: a slowly changing scene gives distinct frames within
a few bits of each other. So every candidate is confirmed on pixels, and the check is local (the worst
16x16 block), because a real change may touch a small patch that a whole-frame mean would average away.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt

Gray = npt.NDArray[np.uint8]
_HASH_SIZE = 8
_RESIZE = 32
_BLOCK = 16


def _dct_rows() -> npt.NDArray[np.float64]:
    """The first 8 rows of an (unscaled) DCT-II on 32 samples; scaling cannot change a median test."""
    k = np.arange(_HASH_SIZE)[:, None]
    n = np.arange(_RESIZE)[None, :]
    return np.cos(np.pi * k * (2 * n + 1) / (2 * _RESIZE))


_DCT = _dct_rows()
_BIT_WEIGHTS = (np.uint64(1) << np.arange(63, -1, -1, dtype=np.uint64)).astype(np.uint64)


def shrink(frame: Gray) -> Gray:
    """32x32 area-averaged thumbnail; area averaging is what makes the hash ignore pixel noise.

    Exact halvings come first while the frame is at least 4x the target: OpenCV has a fast path for
    them, which doubles the hash rate, and the result stays an area average within a few grey levels.
    """
    height, width = frame.shape[:2]
    while width >= 4 * _RESIZE and height >= 4 * _RESIZE:
        width, height = width // 2, height // 2
        frame = cast(Gray, cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA))
    return cast(Gray, cv2.resize(frame, (_RESIZE, _RESIZE), interpolation=cv2.INTER_AREA))


def shrink_batch(frames: list[Gray]) -> npt.NDArray[np.float64]:
    return np.stack([shrink(frame) for frame in frames]).astype(np.float64)


def phash_bits(thumbnails: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """(N, 8, 8) hash bits from (N, 32, 32) thumbnails: low DCT coefficients above their median."""
    low = _DCT @ thumbnails @ _DCT.T
    flat = low.reshape(low.shape[0], -1)
    median = np.median(flat, axis=1, keepdims=True)
    return (flat > median).reshape(-1, _HASH_SIZE, _HASH_SIZE)


def pack_bits(bits: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint64]:
    flat = bits.reshape(bits.shape[0], -1).astype(np.uint64)
    return (flat * _BIT_WEIGHTS).sum(axis=1, dtype=np.uint64)


def phash_batch(frames: list[Gray]) -> npt.NDArray[np.uint64]:
    """64-bit pHash per frame, most significant bit first, row-major like imagehash's bit order."""
    if not frames:
        return np.zeros(0, dtype=np.uint64)
    return pack_bits(phash_bits(shrink_batch(frames)))


def hamming(a: npt.NDArray[np.uint64] | np.uint64, b: npt.NDArray[np.uint64] | np.uint64) -> npt.NDArray[np.int64]:
    return np.bitwise_count(np.bitwise_xor(a, b)).astype(np.int64)  # type: ignore[no-any-return]


class PixelCheck(StrEnum):
    """How a hash candidate is confirmed: mean absolute difference per block, or local SSIM."""

    mad = "mad"
    ssim = "ssim"


@dataclass(frozen=True)
class DedupeSettings:
    hash_distance: int = 10
    check: PixelCheck = PixelCheck.mad
    max_block_diff: float = 3.0  # grey levels, worst 16x16 block
    min_block_ssim: float = 0.98


def block_abs_diff(a: Gray, b: Gray) -> tuple[float, float]:
    """Whole-frame mean absolute difference and the worst 16x16 block's mean."""
    diff = cv2.absdiff(a, b)
    height, width = diff.shape[:2]
    blocks = cv2.resize(diff, (max(1, width // _BLOCK), max(1, height // _BLOCK)), interpolation=cv2.INTER_AREA)
    return float(diff.mean()), float(blocks.max())


def block_ssim(a: Gray, b: Gray) -> float:
    """Lowest SSIM over 8x8 blocks at half size: half size keeps it cheap, blocks keep it local."""
    height, width = a.shape[:2]
    size = (max(8, width // 2), max(8, height // 2))
    x = cv2.resize(a, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    y = cv2.resize(b, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    blur = (7, 7)
    mx, my = cv2.blur(x, blur), cv2.blur(y, blur)
    vx = cv2.blur(x * x, blur) - mx * mx
    vy = cv2.blur(y * y, blur) - my * my
    cov = cv2.blur(x * y, blur) - mx * my
    ssim_map = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    pooled = cv2.resize(ssim_map, (max(1, size[0] // 8), max(1, size[1] // 8)), interpolation=cv2.INTER_AREA)
    return float(pooled.min())


@dataclass(frozen=True)
class DedupeDecision:
    """One frame's verdict; ``twin`` is the kept frame it was compared with (-1 for the first)."""

    frame: int
    twin: int
    hash_distance: int
    mean_abs_diff: float
    block_score: float  # worst-block diff (mad) or lowest block SSIM (ssim); NaN when not checked
    dropped: bool
    reason: str


class Deduper:
    """Streams through frames in order, comparing each with the last frame it kept."""

    def __init__(self, settings: DedupeSettings = DedupeSettings()) -> None:
        self.settings = settings
        self._kept: Gray | None = None
        self._kept_hash = np.uint64(0)
        self._kept_index = -1

    def feed(self, frames: list[Gray], indices: list[int]) -> list[DedupeDecision]:
        """Verdicts for a batch; hashing is vectorised over the batch, confirmation is per candidate."""
        hashes = phash_batch(frames)
        decisions = []
        for frame, index, frame_hash in zip(frames, indices, hashes, strict=True):
            decisions.append(self._decide(frame, index, frame_hash))
        return decisions

    def _decide(self, frame: Gray, index: int, frame_hash: np.uint64) -> DedupeDecision:
        if self._kept is None:
            return self._keep(frame, index, frame_hash, -1, 0, float("nan"), float("nan"), "first frame")
        distance = int(hamming(frame_hash, self._kept_hash))
        twin = self._kept_index
        if distance > self.settings.hash_distance:
            return self._keep(frame, index, frame_hash, twin, distance, float("nan"), float("nan"), "hash differs")
        mean_diff, worst_block = block_abs_diff(frame, self._kept)
        if self.settings.check is PixelCheck.ssim:
            score = block_ssim(frame, self._kept)
            same = score >= self.settings.min_block_ssim
            limit = f"block SSIM {score:.4f} {'>=' if same else '<'} {self.settings.min_block_ssim}"
        else:
            score = worst_block
            same = score <= self.settings.max_block_diff
            limit = f"worst block diff {score:.2f} {'<=' if same else '>'} {self.settings.max_block_diff}"
        if not same:
            return self._keep(frame, index, frame_hash, twin, distance, mean_diff, score, f"pixels differ: {limit}")
        reason = f"hash within {distance} bits and {limit}"
        return DedupeDecision(index, twin, distance, mean_diff, score, True, reason)

    def _keep(
        self,
        frame: Gray,
        index: int,
        frame_hash: np.uint64,
        twin: int,
        distance: int,
        mean: float,
        score: float,
        why: str,
    ) -> DedupeDecision:
        self._kept = frame.copy()
        self._kept_hash = frame_hash
        self._kept_index = index
        return DedupeDecision(index, twin, distance, mean, score, False, why)
