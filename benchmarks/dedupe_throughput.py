"""Dedupe cost at 640x480 gray: the batched pHash alone, and the whole verdict (hash, noise floor, pixel check).

    python benchmarks/dedupe_throughput.py [--rounds 7] [--frames 1024]

Frames are a slowly drifting noisy pattern with a repeat every ~10 frames, so every frame is a hash
candidate and most go through the pixel check: the worst case for the verdict's cost. Prints the
median, min and max frames/s over ``rounds`` runs (target for the hash: >= 5,000 frames/s).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import numpy.typing as npt

from camera_daemon.post.dedupe import Deduper, phash_batch

WIDTH, HEIGHT, BATCH = 640, 480, 32


def scene(count: int) -> list[npt.NDArray[np.uint8]]:
    rng = np.random.default_rng(1)
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    frames = []
    for index in range(count):
        if index % 10 == 9:
            frames.append(frames[-1].copy())
            continue
        picture = 128 + 40 * np.sin(0.03 * (xs - 0.5 * index) + 0.02 * ys) + rng.normal(0, 1, xs.shape)
        frames.append(np.clip(picture, 0, 255).astype(np.uint8))
    return frames


def rate(work: list[list[npt.NDArray[np.uint8]]], step: object) -> float:
    started = time.perf_counter()
    done = 0
    for batch in work:
        step(batch)  # type: ignore[operator]
        done += len(batch)
    return done / (time.perf_counter() - started)


def _verdicts() -> object:
    """A fresh deduper per round, fed batches with running frame positions."""
    deduper = Deduper()
    position = iter(range(10**9))
    return lambda batch: deduper.feed(batch, [next(position) for _ in batch])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--frames", type=int, default=1024)
    args = parser.parse_args()
    frames = scene(256)
    work = [frames[i : i + BATCH] for i in range(0, len(frames), BATCH)] * max(1, args.frames // len(frames))
    phash_batch(work[0])
    hashed = [rate(work, phash_batch) for _ in range(args.rounds)]
    judged = [rate(work, _verdicts()) for _ in range(args.rounds)]
    for label, values in (("pHash (batched)", hashed), ("full verdict", judged)):
        print(
            f"dedupe {label:16s} {WIDTH}x{HEIGHT}: median {statistics.median(values):,.0f} frames/s "
            f"(min {min(values):,.0f}, max {max(values):,.0f}, {args.rounds} rounds)"
        )
    print("target: pHash >= 5,000 frames/s")


if __name__ == "__main__":
    main()
