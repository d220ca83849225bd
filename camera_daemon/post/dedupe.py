"""The perceptual hash dedupe uses to propose candidates; the verdict itself lives in ``repeats``.

pHash is computed for a whole batch at once (area resize to 32x32, then the 8x8 low-frequency DCT as
two small matrix products), which is several times faster than imagehash per frame while following
the same recipe. A hash alone cannot be trusted: a slowly changing scene gives distinct frames within
a few bits of each other, so a hash only ever rules a frame out, never in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt

from camera_daemon.post.noise import NoiseFloor, PairScore, pair_score

Gray = npt.NDArray[np.uint8]
_HASH_SIZE = 8
_RESIZE = 32


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


@dataclass(frozen=True)
class DedupeSettings:
    """``floor_fraction``: a repeat differs from its twin by less than this share of the noise floor.
    ``max_diff`` > 0 replaces the measured floor by a fixed limit in grey levels (mean and worst block)."""

    hash_distance: int = 10
    floor_fraction: float = 0.8
    max_diff: float = 0.0


@dataclass(frozen=True)
class DedupeDecision:
    """One frame's verdict; ``twin`` is the kept frame it was compared with (-1 for the first)."""

    frame: int
    twin: int
    hash_distance: int
    mean_abs_diff: float
    block_score: float  # worst 16x16 block's mean absolute difference; NaN when not compared
    noise_floor: float  # the floor's worst-block median at this frame; NaN when not compared
    dropped: bool
    evidence: str  # camera_frame_id | pixels | hash | first
    reason: str


Identity = tuple[int, ...]


class Deduper:
    """Streams through frames in order, comparing each with the last frame it kept.

    Evidence first: a row whose camera_frame_id (per camera) equals the kept frame's is that frame
    again. An id that advanced is a new exposure; only a lossless video can still prove it a re-sent
    buffer, because a lossy encoder may decode two distinct exposures of a slow scene to the very same
    pixels (x264 skips the whole frame). Without ids, or in a lossless video, pixels decide: a frame is
    a repeat only when its difference from the kept frame is below ``floor_fraction`` of the noise
    floor, both over the whole frame and in its worst block.
    """

    def __init__(self, settings: DedupeSettings = DedupeSettings(), lossy: bool = False) -> None:
        self.settings = settings
        self.lossy = lossy
        self.floor = NoiseFloor()
        self._kept: Gray | None = None
        self._kept_hash = np.uint64(0)
        self._kept_index = -1
        self._kept_identity: Identity = ()

    def feed(
        self, frames: list[Gray], indices: list[int], identities: list[Identity] | None = None
    ) -> list[DedupeDecision]:
        """Verdicts for a batch; the batch's own consecutive pairs join the floor before any verdict."""
        hashes = phash_batch(frames)
        self.floor.observe(frames)
        limit = self._limit()
        known = identities if identities is not None else [()] * len(frames)
        return [
            self._decide(frame, index, frame_hash, identity, limit)
            for frame, index, frame_hash, identity in zip(frames, indices, hashes, known, strict=True)
        ]

    def _limit(self) -> PairScore:
        if self.settings.max_diff > 0:
            return PairScore(self.settings.max_diff, self.settings.max_diff)
        floor = self.floor.floor
        fraction = self.settings.floor_fraction
        return PairScore(floor.mean * fraction, floor.worst_block * fraction)

    def _decide(
        self, frame: Gray, index: int, frame_hash: np.uint64, identity: Identity, limit: PairScore
    ) -> DedupeDecision:
        nan = float("nan")
        if self._kept is None:
            return self._keep(
                frame,
                index,
                frame_hash,
                identity,
                DedupeDecision(index, -1, 0, nan, nan, nan, False, "first", "first frame"),
            )
        twin = self._kept_index
        distance = int(hamming(frame_hash, self._kept_hash))
        if identity and identity == self._kept_identity and min(identity) >= 0:
            ids = ",".join(str(i) for i in identity)
            why = f"same camera_frame_id {ids} as the kept frame"
            return DedupeDecision(index, twin, distance, nan, nan, nan, True, "camera_frame_id", why)
        if self.lossy and identity and self._kept_identity and min(identity + self._kept_identity) >= 0:
            why = "camera_frame_id advanced: a new exposure (a lossy video cannot prove a re-sent buffer)"
            verdict = DedupeDecision(index, twin, distance, nan, nan, nan, False, "camera_frame_id", why)
            return self._keep(frame, index, frame_hash, identity, verdict)
        if distance > self.settings.hash_distance:
            verdict = DedupeDecision(
                index, twin, distance, nan, nan, nan, False, "hash", f"hash differs by {distance} bits"
            )
            return self._keep(frame, index, frame_hash, identity, verdict)
        score = pair_score(frame, self._kept) if frame.shape == self._kept.shape else PairScore(255.0, 255.0)
        same = score.within(limit)
        where = "fixed limit" if self.settings.max_diff > 0 else f"{self.settings.floor_fraction:g} x noise floor"
        detail = (
            f"mean diff {score.mean:.3f} / worst block {score.worst_block:.3f} "
            f"{'within' if same else 'above'} {where} {limit.mean:.3f} / {limit.worst_block:.3f}"
        )
        floor = self.floor.floor.worst_block
        verdict = DedupeDecision(index, twin, distance, score.mean, score.worst_block, floor, same, "pixels", detail)
        return verdict if same else self._keep(frame, index, frame_hash, identity, verdict)

    def _keep(
        self, frame: Gray, index: int, frame_hash: np.uint64, identity: Identity, verdict: DedupeDecision
    ) -> DedupeDecision:
        self._kept = frame.copy()
        self._kept_hash = frame_hash
        self._kept_index = index
        self._kept_identity = identity
        return verdict
