"""The most cameras this machine records at 1280x1024 @ 30 fps with content like a real sensor's.

    python benchmarks/scale.py [--seconds 10] [--counts 1,2,3,4,6,8] [--rounds 1]

Each N runs `camd run` as a user would (synthetic cameras, scene = "noise", x264 ultrafast) and
then reads the session back: drops from the manifest, and every frame's lateness behind its
schedule from the timestamp table (frame k of a synthetic camera is due k periods after the first).
An N passes when no frame dropped and every frame came within one period of its schedule. Also
printed: the worst grab-to-ffmpeg lag and the ring's peak (manifest), and the noise scene's x264
bytes per frame against the static texture scene. Rounds alternate over the counts; per N the
figures are median (min, max) over rounds, and an N passes only if every round does.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.csv as pacsv

WIDTH, HEIGHT, FPS = 1280, 1024, 30.0
PERIOD_US = 1e6 / FPS


def config(count: int, scene: str) -> str:
    lines = ["[encoder]", 'codec = "h264"', 'preset = "ultrafast"', ""]
    for index in range(count):
        lines += ["[[cameras]]", f'name = "cam{index}"', f"width = {WIDTH}", f"height = {HEIGHT}"]
        lines += [f"fps = {FPS:g}", f'scene = "{scene}"', ""]
    return "\n".join(lines)


def record(folder: Path, count: int, seconds: float, scene: str, name: str) -> dict[str, Any]:
    toml = folder / f"{name}.toml"
    toml.write_text(config(count, scene))
    command = [sys.executable, "-m", "camera_daemon", "run", str(toml), "--duration", str(seconds)]
    command += ["--output", str(folder), "--session", name, "--quiet"]
    subprocess.run(command, check=False, capture_output=True)
    session = folder / name
    manifest: dict[str, Any] = json.loads((session / "manifest.json").read_text())
    result: dict[str, Any] = {"drops": 0, "schedule_late_ms": 0.0, "write_lag_ms": 0.0, "ring_peak": 0}
    result["bytes_per_frame"], frames = 0.0, 0
    for entry in manifest["cameras"].values():
        result["drops"] += int(entry.get("drops_total") or 0) + (entry["exit_state"] != "stopped")
        result["write_lag_ms"] = max(result["write_lag_ms"], entry.get("lateness_max_us", 0) / 1e3)
        result["ring_peak"] = max(result["ring_peak"], entry.get("ring_high_water", 0))
        table = pacsv.read_csv(session / entry["timestamps"])
        host = table.column("host_time_us").to_numpy().astype(np.float64)
        ids = table.column("camera_frame_id").to_numpy().astype(np.float64)
        due = host[0] + (ids - ids[0]) * PERIOD_US
        result["schedule_late_ms"] = max(result["schedule_late_ms"], float(np.max(host - due)) / 1e3)
        result["bytes_per_frame"] += (session / entry["video"]).stat().st_size
        frames += len(host)
    result["bytes_per_frame"] /= max(1, frames)
    return result


def spread(values: list[float], fmt: str = ".1f") -> str:
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--counts", default="1,2,3,4,6,8")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    counts = [int(value) for value in args.counts.split(",")]
    print(f"scale: N cameras {WIDTH}x{HEIGHT} @ {FPS:g} fps, scene noise, x264 ultrafast, {args.seconds:g} s each")
    print(f"  machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    results: dict[int, list[dict[str, Any]]] = {count: [] for count in counts}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        flat = record(folder, 1, min(args.seconds, 4.0), "texture", "texture")
        noisy = record(folder, 1, min(args.seconds, 4.0), "noise", "noise")
        rate = noisy["bytes_per_frame"] * 8 * FPS / 1e6
        print(f"  x264 bytes/frame: noise {noisy['bytes_per_frame'] / 1024:.1f} KiB ({rate:.1f} Mbit/s at 30 fps)")
        print(f"  x264 bytes/frame: texture {flat['bytes_per_frame'] / 1024:.1f} KiB")
        for round_index in range(args.rounds):
            for count in counts:
                results[count].append(record(folder, count, args.seconds, "noise", f"n{count}r{round_index}"))
                subprocess.run(["rm", "-rf", str(folder / f"n{count}r{round_index}")], check=False)
    best = 0
    for count, runs in results.items():
        passed = all(run["drops"] == 0 and run["schedule_late_ms"] <= PERIOD_US / 1e3 for run in runs)
        best = count if passed and count > best else best
        print(
            f"  N={count:2d}: drops {spread([r['drops'] for r in runs], '.0f')}, "
            f"max lateness behind schedule {spread([r['schedule_late_ms'] for r in runs])} ms, "
            f"max grab-to-ffmpeg {spread([r['write_lag_ms'] for r in runs])} ms, "
            f"ring peak {spread([r['ring_peak'] for r in runs], '.0f')}  -> {'pass' if passed else 'FAIL'}"
        )
    print(f"  largest N with zero drops and every frame within one period ({PERIOD_US / 1e3:.1f} ms): {best}")


if __name__ == "__main__":
    main()
