"""The end of every stitch: optional dedupe, then the encoder, one frame at a time.

Frames wait in a small batch only so their hashes can be computed together; memory stays at one
batch of frames whatever the length of the recording. Each pushed frame carries a row id that the
step uses to build the output's timestamp table from the frames that were actually written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from camera_daemon.post.crop import Crop
from camera_daemon.post.dedupe import NO_GOP, DedupeDecision, Deduper, Gop, Identity
from camera_daemon.post.io.decode import Frame, to_gray8
from camera_daemon.post.io.encode import VideoWriter

BATCH = 32


@dataclass
class SinkResult:
    rows_written: list[int] = field(default_factory=list)
    times_written_us: list[int] = field(default_factory=list)
    rows_pushed: list[int] = field(default_factory=list)
    decisions: list[DedupeDecision] = field(default_factory=list)


class FrameSink:
    """Collects frames, drops confirmed repeats, writes the rest with times relative to ``origin_us``."""

    def __init__(
        self,
        writer: VideoWriter,
        origin_us: int,
        deduper: Deduper | None = None,
        dedupe_view: Callable[[Frame], Frame] | None = None,
        compare: VideoWriter | None = None,
        studio: bool = False,
        crop: Crop | None = None,
    ) -> None:
        self._crop = crop  # the output rectangle; dedupe sees the same rectangle it writes
        self.studio = studio  # frames arrive in studio range (see decode.luma) and go to the encoder as is
        self._writer = writer
        self._origin_us = origin_us
        self._deduper = deduper
        self._dedupe_view = dedupe_view
        self._compare = compare
        self._batch: list[tuple[Frame, int, int, Identity, Gop]] = []
        self._last_kept: npt.NDArray[np.uint8] | None = None
        self.result = SinkResult()

    def push(self, pixels: Frame, utc_us: int, row: int, identity: Identity = (), gop: Gop = NO_GOP) -> None:
        """``identity``: the camera_frame_id(s) the pixels show, the strongest evidence of a repeat;
        ``gop``: the keyframe(s) they were decoded from, which a lossy video's pixels cannot see past."""
        self.result.rows_pushed.append(row)
        if self._deduper is None:
            self._write(pixels, utc_us, row)
            return
        self._batch.append((pixels.copy(), utc_us, row, identity, gop))  # the composer reuses its canvas
        if len(self._batch) >= BATCH:
            self._drain()

    def _write(self, pixels: Frame, utc_us: int, row: int) -> None:
        if self._crop is not None:
            pixels = self._crop.apply(pixels)
        self._writer.write(pixels, utc_us - self._origin_us, self.studio)
        self.result.rows_written.append(row)
        self.result.times_written_us.append(utc_us)

    def _drain(self) -> None:
        if not self._batch or self._deduper is None:
            return
        view = self._dedupe_view or (lambda pixels: pixels)
        crop = self._crop.apply if self._crop is not None else (lambda pixels: pixels)
        grays = [to_gray8(crop(view(pixels))) for pixels, *_ in self._batch]
        positions = list(range(len(self.result.decisions), len(self.result.decisions) + len(grays)))
        identities = [identity for _, _, _, identity, _ in self._batch]
        decisions = self._deduper.feed(grays, positions, identities, [gop for *_, gop in self._batch])
        for (pixels, utc_us, row, _, _), gray, decision in zip(self._batch, grays, decisions, strict=True):
            self.result.decisions.append(decision)
            if self._compare is not None:
                self._compare.write(comparison(gray, self._last_kept), utc_us - self._origin_us)
            if not decision.dropped:
                self._last_kept = gray
                self._write(pixels, utc_us, row)
        self._batch.clear()

    def close(self) -> SinkResult:
        self._drain()
        return self.result


def comparison(
    current: npt.NDArray[np.uint8], previous: npt.NDArray[np.uint8] | None, threshold: int = 12
) -> npt.NDArray[np.uint8]:
    """Side by side: this frame, the frame it is compared with, and a mask of pixels that differ."""
    other = previous if previous is not None and previous.shape == current.shape else np.zeros_like(current)
    mask = np.where(cv2.absdiff(current, other) > threshold, 255, 0).astype(np.uint8)
    side = np.hstack([current, other, mask])
    return np.ascontiguousarray(np.pad(side, ((0, side.shape[0] % 2), (0, side.shape[1] % 2))))
