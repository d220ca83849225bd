"""How fast the daemon's commands answer, timed as whole processes the way a user runs them.

    python benchmarks/control_latency.py [--runs 25] [--starts 5]

1. `camd status`, `camd status --json` and the same status through the full typer command line
   (what every call cost before the standard-library path), against a live daemon recording two
   synthetic cameras; the three alternate within each round. Target: median < 50 ms.
2. `camd start` with two synthetic cameras, from launch until it returns (every camera recording),
   then `camd stop`; alternating start and stop. Target: median < 2 s.
Each figure: median (min, max) over its rounds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CAMD = [str(Path(sys.executable).with_name("camd"))]
FULL = [sys.executable, "-c", "import sys; sys.argv[0] = 'camd'; from camera_daemon.cli import main; main()"]
CAMERAS = ["--camera", "a=synthetic", "--camera", "b=synthetic"]


def spread(values: list[float], scale: float, unit: str) -> str:
    scaled = [value * scale for value in values]
    middle = statistics.median(scaled)
    return f"median {middle:7.1f} {unit} (min {min(scaled):.1f}, max {max(scaled):.1f}; n={len(values)})"


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def bench_status(output: Path, env: dict[str, str], runs: int) -> dict[str, list[float]]:
    subprocess.run([*CAMD, "start", *CAMERAS, "--output", str(output), "--session", "status"], check=True, env=env)
    commands = {
        "camd status": [*CAMD, "status"],
        "camd status --json": [*CAMD, "status", "--json"],
        "full typer CLI status": [*FULL, "status"],
        "bare python -c pass": [sys.executable, "-c", "pass"],  # the floor: interpreter and site start-up
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    try:
        for _ in range(runs):
            for name, command in commands.items():
                times[name].append(timed(command, env))
    finally:
        subprocess.run([*CAMD, "stop"], check=True, capture_output=True, env=env)
    return times


def bench_start(output: Path, env: dict[str, str], rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"camd start": [], "camd stop": []}
    for index in range(rounds):
        command = [*CAMD, "start", *CAMERAS, "--output", str(output), "--session", f"start{index}"]
        times["camd start"].append(timed(command, env))
        times["camd stop"].append(timed([*CAMD, "stop"], env))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25, help="status calls per kind")
    parser.add_argument("--starts", type=int, default=5, help="start/stop rounds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        runtime = Path(scratch) / "runtime"
        runtime.mkdir(mode=0o700)
        env = {**os.environ, "CAMD_RUNTIME_DIR": str(runtime)}
        status = bench_status(Path(scratch) / "out", env, args.runs)
        shutil.rmtree(Path(scratch) / "out")
        start = bench_start(Path(scratch) / "out", env, args.starts)
    print(f"control latency, whole processes ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")
    for name, values in status.items():
        print(f"  {name:<22} {spread(values, 1e3, 'ms')}")
    for name, values in start.items():
        print(f"  {name:<22} {spread(values, 1.0, 's')}")
    status_ms = statistics.median(status["camd status"]) * 1e3
    start_s = statistics.median(start["camd start"])
    print(f"  targets: status < 50 ms: {status_ms:.1f} ms; start < 2 s: {start_s:.2f} s")


if __name__ == "__main__":
    main()
