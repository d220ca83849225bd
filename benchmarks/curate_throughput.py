"""Extraction and clustering throughput at 640x480, in one command.

    python benchmarks/curate_throughput.py [--seconds 10] [--rounds 3] [--keep DIR]

A 2-camera 640x480 mono session at 30 fps (x264 ultrafast, the recorder's own settings) is built
once; each round then runs, through the same functions as the CLI (worker pool start included):

1. `camd extract SESSION --every 10`: session frames scanned per second (decode + PNG of every 10th).
2. `camd extract SESSION --every 1 --format jpg`: images written per second.
3. `camd extract SESSION --diverse 20`: frames per second (decode, thumbnails, MiniBatchKMeans, PNGs).
4. `camd cluster SESSION`: frames per second (decode, vectorised pHash, clusters, contact sheet).

Printed as min / median / max frames per second over the rounds, and as JSON on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from post_throughput import FPS, make_session

from camera_daemon.curate.cluster import cluster_session
from camera_daemon.curate.extract import Selection, extract
from camera_daemon.post.load import load_session


def timed(action: Callable[[Path], object], out: Path) -> float:
    began = time.perf_counter()
    action(out)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each camera's recording")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the session here and leave it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="camd-curate-bench-"))
    session = root / "session"
    frames_per_camera = round(args.seconds * FPS)
    if not session.exists():
        make_session(session, frames_per_camera)
    tracks = load_session(session)
    total = sum(track.frame_count for track in tracks.cameras)
    cases: dict[str, tuple[Callable[[Path], object], int]] = {
        "extract --every 10 (frames scanned/s)": (
            lambda out: extract(tracks, Selection(every=10), out, "png", progress=False), total),
        "extract --every 1 --format jpg (images/s)": (
            lambda out: extract(tracks, Selection(every=1), out, "jpg", progress=False), total),
        "extract --diverse 20 (frames/s)": (
            lambda out: extract(tracks, Selection(diverse=20), out, "png", progress=False), total),
        "cluster (frames/s)": (lambda out: cluster_session(tracks, out, None, 12, progress=False), total),
    }  # fmt: skip
    results: dict[str, dict[str, float]] = {}
    print(f"{len(tracks.cameras)} cameras x {frames_per_camera} frames, 640x480 mono, x264; {os.cpu_count()} cores")
    for name, (action, frames) in cases.items():
        rates = []
        for round_number in range(args.rounds):
            out = root / f"out-{round_number}"
            shutil.rmtree(out, ignore_errors=True)
            rates.append(frames / timed(action, out))
            shutil.rmtree(out, ignore_errors=True)
        results[name] = {"min": min(rates), "median": statistics.median(rates), "max": max(rates)}
        print(f"{name:45s} median {results[name]['median']:7.0f}  (min {min(rates):.0f}, max {max(rates):.0f})")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps({"frames": total, "rounds": args.rounds, "fps": results}))


if __name__ == "__main__":
    main()
