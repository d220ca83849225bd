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


LOSSY_FRACTION = 0.4
"""Share of the floor for a lossy video without ids. x264's quality drifts over a GOP: the first
frames after a keyframe copy most of it, so a distinct frame there scored 0.57 of the floor at 0.25 px
of motion (bgr 320x240) while repeats scored up to 1.27; no share separates them, and a dropped
distinct frame is lost for good, so the share sits well below the lowest distinct pair seen."""
LOSSLESS_FRACTIONS = (0.8, 0.9)
"""Bounds of the share for a lossless video. Distinct pairs there differ by the sensor noise alone and
stay within 2-3% of their median over the whole frame (lowest seen 0.975), while a JPEG q80 repeat of
a colour frame scores up to 0.84: the share follows the floor's own spread (floor - 4 sigma) inside
these bounds."""
SPREAD_SIGMAS = 4.0


@dataclass(frozen=True)
class DedupeSettings:
    """``floor_fraction``: a repeat differs from its twin by less than this share of the noise floor;
    None chooses it from the codec (LOSSY_FRACTION, or the floor's spread within LOSSLESS_FRACTIONS).
    ``max_diff`` > 0 replaces the measured floor by a fixed limit in grey levels (mean and worst block)."""

    hash_distance: int = 10
    floor_fraction: float | None = None
    max_diff: float = 0.0


@dataclass(frozen=True)
class Gop:
    """The keyframe(s) the pixels were decoded from: one entry per source video that contributed
    (``(camera, keyframe index)`` pairs or plain indices, compared only for equality), and whether a
    contributing frame is a keyframe itself. Empty when unknown."""

    keys: tuple[int, ...] = ()
    at_key: bool = False


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
    evidence: str  # camera_frame_id | keyframe | pixels | hash | first
    reason: str


Identity = tuple[int, ...]
NO_GOP = Gop()


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
        self._kept_gop = Gop()

    def feed(
        self,
        frames: list[Gray],
        indices: list[int],
        identities: list[Identity] | None = None,
        gops: list[Gop] | None = None,
    ) -> list[DedupeDecision]:
        """Verdicts for a batch; the batch's own consecutive pairs join the floor before any verdict."""
        hashes = phash_batch(frames)
        self.floor.observe(frames)
        limit = self._limit()
        known = identities if identities is not None else [()] * len(frames)
        sources = gops if gops is not None else [Gop()] * len(frames)
        return [
            self._decide(frame, index, frame_hash, identity, limit, gop)
            for frame, index, frame_hash, identity, gop in zip(frames, indices, hashes, known, sources, strict=True)
        ]

    def _limit(self) -> PairScore:
        if self.settings.max_diff > 0:
            return PairScore(self.settings.max_diff, self.settings.max_diff)
        floor = self.floor.floor
        fraction = self.settings.floor_fraction
        if fraction is None:
            fraction = LOSSY_FRACTION if self.lossy else self._lossless_fraction()
        return PairScore(floor.mean * fraction, floor.worst_block * fraction)

    def _lossless_fraction(self) -> float:
        """floor - 4 sigma of the whole-frame mean, as a share, within LOSSLESS_FRACTIONS. The mean
        averages the noise of every pixel and is tight; the worst block is a maximum and scatters by
        8% of its floor, so it takes the mean's share rather than its own spread."""
        low, high = LOSSLESS_FRACTIONS
        floor = self.floor.floor.mean
        if floor <= 0:
            return low
        return min(max(1.0 - SPREAD_SIGMAS * self.floor.spread.mean / floor, low), high)

    def _where(self) -> str:
        if self.settings.max_diff > 0:
            return "fixed limit"
        if self.settings.floor_fraction is not None:
            return f"{self.settings.floor_fraction:g} x noise floor"
        if self.lossy:
            return f"{LOSSY_FRACTION:g} x noise floor (lossy video)"
        return f"{self._lossless_fraction():.3f} x noise floor (floor - 4 x its spread, lossless video)"

    def _straddles(self, gop: Gop) -> bool:
        if not self.lossy or not gop.keys or not self._kept_gop.keys:
            return False
        return gop.keys != self._kept_gop.keys or self._kept_gop.at_key

    def _decide(
        self, frame: Gray, index: int, frame_hash: np.uint64, identity: Identity, limit: PairScore, gop: Gop
    ) -> DedupeDecision:
        nan = float("nan")
        if self._kept is None:
            first = DedupeDecision(index, -1, 0, nan, nan, nan, False, "first", "first frame")
            return self._keep(frame, index, frame_hash, identity, first, gop)
        twin = self._kept_index
        distance = int(hamming(frame_hash, self._kept_hash))
        if identity and identity == self._kept_identity and min(identity) >= 0:
            ids = ",".join(str(i) for i in identity)
            why = f"same camera_frame_id {ids} as the kept frame"
            return DedupeDecision(index, twin, distance, nan, nan, nan, True, "camera_frame_id", why)
        if self.lossy and identity and self._kept_identity and min(identity + self._kept_identity) >= 0:
            why = "camera_frame_id advanced: a new exposure (a lossy video cannot prove a re-sent buffer)"
            verdict = DedupeDecision(index, twin, distance, nan, nan, nan, False, "camera_frame_id", why)
            return self._keep(frame, index, frame_hash, identity, verdict, gop)
        score = pair_score(frame, self._kept) if frame.shape == self._kept.shape else PairScore(255.0, 255.0)
        floor = self.floor.floor.worst_block
        if self._straddles(gop):
            why = (
                f"pair straddles a keyframe of a lossy video: pixels cannot tell a repeat from the frame after "
                f"a keyframe (mean diff {score.mean:.3f} / worst block {score.worst_block:.3f})"
            )
            verdict = DedupeDecision(
                index, twin, distance, score.mean, score.worst_block, floor, False, "keyframe", why
            )
            return self._keep(frame, index, frame_hash, identity, verdict, gop)
        if distance > self.settings.hash_distance:
            verdict = DedupeDecision(
                index, twin, distance, nan, nan, nan, False, "hash", f"hash differs by {distance} bits"
            )
            return self._keep(frame, index, frame_hash, identity, verdict, gop)
        same = score.within(limit)
        where = self._where()
        detail = (
            f"mean diff {score.mean:.3f} / worst block {score.worst_block:.3f} "
            f"{'within' if same else 'above'} {where} {limit.mean:.3f} / {limit.worst_block:.3f}"
        )
        verdict = DedupeDecision(index, twin, distance, score.mean, score.worst_block, floor, same, "pixels", detail)
        return verdict if same else self._keep(frame, index, frame_hash, identity, verdict, gop)

    def _keep(
        self, frame: Gray, index: int, frame_hash: np.uint64, identity: Identity, verdict: DedupeDecision, gop: Gop
    ) -> DedupeDecision:
        self._kept = frame.copy()
        self._kept_hash = frame_hash
        self._kept_index = index
        self._kept_identity = identity
        self._kept_gop = gop
        return verdict
