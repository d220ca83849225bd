"""Stop-to-final-files time after short and long sessions: a stop must not grow with the session.

    python benchmarks/stop_time.py [--lengths 20 120] [--long] [--rounds 3] [--cameras 3] [--fps 200]

Each round records with ``camd start`` (synthetic cameras at a high rate, so a session makes many
frames and log entries quickly), waits the session length, and times the whole
``camd stop`` command as a user runs it (start-up of the client included) and the daemon's own
stop (its log's span from the stop request to the final files and manifest), and, for information,
when the QC verdict that runs after the reply (it reads every packet, so it grows with the session)
reaches the manifest. Lengths alternate within each round. Prints min/median/max per length and
the growth ratio of the medians (longest/shortest).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

CAMD = [sys.executable, "-m", "camera_daemon"]


def _camd(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CAMD, *args], capture_output=True, text=True, env=env, check=False, timeout=600)


def _daemon_stop_s(log: Path) -> float:
    """The daemon's own stop, from its log: the stop request to the final manifest (``stopped: ...``)."""
    marks: dict[str, datetime] = {}
    for line in log.read_text().splitlines():
        for key, text in (("asked", " stop requested"), ("done", " INFO stopped: ")):
            if text in line:
                marks[key] = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
    return (marks["done"] - marks["asked"]).total_seconds()


def _qc_verdict_s(manifest: Path, begin: float) -> float:
    """Seconds from the stop request until the QC verdict that follows the reply is in the manifest."""
    while True:
        with contextlib.suppress(OSError, ValueError):
            if (json.loads(manifest.read_text()).get("qc") or {}).get("verdict") not in (None, "pending"):
                return time.perf_counter() - begin
        time.sleep(0.01)


def one_stop(workdir: Path, seconds: float, cameras: int, fps: int) -> tuple[float, float, float, int]:
    """Seconds the ``camd stop`` command took, the daemon's own stop, until the QC verdict, and the
    frames recorded."""
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
    qc_s = _qc_verdict_s(workdir / "s" / "manifest.json", begin)
    manifest = json.loads((workdir / "s" / "manifest.json").read_text())
    frames = sum(int(entry.get("frames_in_video") or 0) for entry in manifest["cameras"].values())
    return elapsed, _daemon_stop_s(workdir / "s" / "logs" / "daemon.log"), qc_s, frames


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
    daemon: dict[float, list[float]] = {length: [] for length in lengths}
    frames: dict[float, list[int]] = {length: [] for length in lengths}
    verdict: dict[float, list[float]] = {length: [] for length in lengths}
    with tempfile.TemporaryDirectory() as folder:
        for round_index in range(options.rounds):
            order = lengths if round_index % 2 == 0 else list(reversed(lengths))
            for length in order:
                workdir = Path(folder) / f"r{round_index}_{length:g}"
                elapsed, inside, qc_s, count = one_stop(workdir, length, options.cameras, options.fps)
                results[length].append(elapsed)
                verdict[length].append(qc_s)
                daemon[length].append(inside)
                frames[length].append(count)
                print(
                    f"  round {round_index} {length:6.0f} s session: camd stop {elapsed:.3f} s, "
                    f"daemon's stop {inside:.3f} s, QC verdict after {qc_s:.3f} s, {count} frames",
                    flush=True,
                )
    print(f"{options.cameras} synthetic cameras 320x240 @ {options.fps} fps, {options.rounds} alternating rounds")
    for length in lengths:
        made = statistics.median(frames[length])
        print(f"  {length:6.0f} s session ({made:.0f} frames)")
        print(f"      camd stop command: {_summary(results[length])}")
        print(f"      daemon's own stop: {_summary(daemon[length])}")
        print(f"      QC verdict in the manifest (after the reply): {_summary(verdict[length])}")
    for what, values in (("camd stop command", results), ("daemon's own stop", daemon)):
        growth = statistics.median(values[lengths[-1]]) / statistics.median(values[lengths[0]])
        print(f"  growth of the {what}, {lengths[-1]:g} s vs {lengths[0]:g} s: {growth:.2f}x  (target ~1.0x)")


if __name__ == "__main__":
    main()
