"""Stop-to-final-files time after short and long sessions: a stop must not grow with the session.

    python benchmarks/stop_time.py [--lengths 20 120] [--long] [--rounds 3] [--cameras 3] [--fps 200]

Each round records with ``camd start`` (synthetic cameras at a high rate, so a session makes many
frames and log entries quickly), waits the session length, and times the whole
``camd stop`` command as a user runs it (start-up of the client included). Lengths alternate
within each round. Prints min/median/max per length and the growth ratio of the medians (longest/shortest).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CAMD = [sys.executable, "-m", "camera_daemon"]


def _camd(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CAMD, *args], capture_output=True, text=True, env=env, check=False, timeout=600)


def one_stop(workdir: Path, seconds: float, cameras: int, fps: int) -> tuple[float, int]:
    """Seconds the ``camd stop`` command took, and the frames the session recorded."""
    env = {**os.environ, "CAMD_RUNTIME_DIR": str(workdir / "runtime")}
    specs: list[str] = []
    for index in range(cameras):
        specs += ["--camera", f"c{index}=synthetic:?width=320&height=240&fps={fps}"]
    started = _camd("start", *specs, "--output", str(workdir), "--session", "s", env=env)
    if started.returncode != 0:
        raise SystemExit(f"camd start failed: {started.stderr.strip()}")
    time.sleep(seconds)  # the session's length is the quantity under test
    begin = time.perf_counter()
    stopped = _camd("stop", env=env)
    elapsed = time.perf_counter() - begin
    if stopped.returncode != 0:
        raise SystemExit(f"camd stop failed: {stopped.stderr.strip()}")
    manifest = json.loads((workdir / "s" / "manifest.json").read_text())
    frames = sum(int(entry.get("frames_in_video") or 0) for entry in manifest["cameras"].values())
    return elapsed, frames


def _summary(values: list[float]) -> str:
    return f"min {min(values):.3f}  median {statistics.median(values):.3f}  max {max(values):.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lengths", type=float, nargs="+", default=[20.0, 120.0])
    parser.add_argument("--long", action="store_true", help="add a 600 s session")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cameras", type=int, default=3)
    parser.add_argument("--fps", type=int, default=200)
    options = parser.parse_args()
    lengths = [*options.lengths, *([600.0] if options.long else [])]
    results: dict[float, list[float]] = {length: [] for length in lengths}
    frames: dict[float, list[int]] = {length: [] for length in lengths}
    with tempfile.TemporaryDirectory() as folder:
        for round_index in range(options.rounds):
            order = lengths if round_index % 2 == 0 else list(reversed(lengths))
            for length in order:
                workdir = Path(folder) / f"r{round_index}_{length:g}"
                elapsed, count = one_stop(workdir, length, options.cameras, options.fps)
                results[length].append(elapsed)
                frames[length].append(count)
                print(f"  round {round_index} {length:6.0f} s session: camd stop {elapsed:.3f} s, {count} frames")
    print(f"{options.cameras} synthetic cameras 320x240 @ {options.fps} fps, {options.rounds} alternating rounds")
    for length in lengths:
        made = statistics.median(frames[length])
        print(f"  {length:6.0f} s session ({made:.0f} frames): camd stop {_summary(results[length])}")
    shortest, longest = statistics.median(results[lengths[0]]), statistics.median(results[lengths[-1]])
    growth = longest / shortest
    print(f"  growth {lengths[-1]:g} s vs {lengths[0]:g} s: {growth:.2f}x  (target: ~1.0x, every stop < 1 s)")


if __name__ == "__main__":
    main()
