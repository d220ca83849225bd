"""What online analysis and stamping cost the recording, in one run.

    python benchmarks/analysis_cost.py [--rounds 3] [--seconds 5]

One free-running 640x480 synthetic camera (it waits for the encoder, so its rate is the recorder's
ceiling) records in alternating rounds: no callback, then the no-op callback at every frame (and,
with --stamp, stamping of every frame). Printed: recording fps per mode (min/median/max), the ratio
with/without per round (target >= 0.97), the no-op callback's frame-to-result latency (median and
p99 over the rounds' rows), frames analysed and skipped, and the CPU time stamping costs per frame.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pyarrow.parquet as pq

from camera_daemon.analysis.stamp import Stamper
from camera_daemon.config import parse_config
from camera_daemon.daemon.status import CameraStatus
from camera_daemon.recording import StopRequest, record

WIDTH, HEIGHT = 640, 480
_WARMUP_S = 1.0
MODES: dict[str, dict[str, Any]] = {
    "none": {},
    "noop": {"analysis": "camera_daemon.analysis.builtin:noop"},
    "stamp": {"stamp": ["utc", "frame", "fps", "ring"]},
}


def _cpu_s(pid: int) -> float:
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system)


def record_round(
    workdir: Path, name: str, seconds: float, extra: dict[str, Any]
) -> tuple[float, float, dict[str, Any]]:
    """Steady-state frames written per second (after a warm-up), the worker's CPU µs per frame over
    the same span (what the recorder pays, whatever else loads the machine), and the manifest entry."""
    camera = {"name": "free", "fps": 0, "width": WIDTH, "height": HEIGHT, **extra}
    config = parse_config({"session": {"output": str(workdir), "name": name}, "cameras": [camera]})
    stop = StopRequest()
    marks: list[tuple[float, int, float]] = []
    started: list[float] = []

    def tick(statuses: list[CameraStatus]) -> None:
        now = time.perf_counter()
        written = statuses[0].frames_written
        if written > 0 and not started:
            started.append(now)
        if started and now - started[0] >= _WARMUP_S:
            marks.append((now, written, _cpu_s(statuses[0].pid)))
        if started and now - started[0] >= _WARMUP_S + seconds:
            stop.event.set()

    _, manifest = record(config, on_tick=tick, stop=stop)
    (t0, f0, c0), (t1, f1, c1) = marks[0], marks[-1]
    entry: dict[str, Any] = manifest["cameras"]["free"]
    return (f1 - f0) / (t1 - t0), (c1 - c0) / max(1, f1 - f0) * 1e6, entry


def stamp_cost_us(frames: int = 3000) -> float:
    image = np.full((HEIGHT, WIDTH), 127, np.uint8)
    stamper = Stamper(["utc", "frame", "fps", "ring"], time.time_ns() // 1000, HEIGHT, image.dtype)
    start = time.process_time()
    for index in range(frames):
        stamper.draw(image, index, index * 1000, 3, 60)
    return (time.process_time() - start) / frames * 1e6


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.3f} (min {min(values):.3f}, max {max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--stamp", action="store_true", help="also record rounds with every frame stamped")
    args = parser.parse_args()
    modes = ["none", "noop", "stamp"] if args.stamp else ["none", "noop"]
    fps: dict[str, list[float]] = {mode: [] for mode in modes}
    cpu: dict[str, list[float]] = {mode: [] for mode in modes}
    latencies: list[np.ndarray] = []  # type: ignore[type-arg]
    analysed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for round_index in range(args.rounds):
            order = modes if round_index % 2 == 0 else list(reversed(modes))
            for mode in order:
                name = f"{mode}-{round_index}"
                rate, cpu_us, entry = record_round(Path(tmp), name, args.seconds, MODES[mode])
                fps[mode].append(rate)
                cpu[mode].append(cpu_us)
                if mode == "noop":
                    table = pq.read_table(Path(tmp) / name / "free.analysis.parquet")
                    latencies.append(table.column("result_latency_us").to_numpy())
                    info = entry["analysis"]
                    analysed.append(
                        f"{info['frames_analysed']}/{entry['frames_in_video']} (skipped {info['frames_skipped']})"
                    )
                print(f"round {round_index} {mode:5s}: {rate:7.1f} fps, worker {cpu_us:6.1f} us CPU/frame", flush=True)
    ratios = [with_ / without for with_, without in zip(fps["noop"], fps["none"], strict=True)]
    print(f"recording fps, no callback:       {_spread(fps['none'])}")
    print(f"recording fps, no-op every frame: {_spread(fps['noop'])}")
    print(f"ratio no-op / none per round:     {_spread(ratios)}  (target >= 0.97)")
    for mode in modes:
        print(f"worker CPU per frame, {mode:5s}:     {_spread(cpu[mode])} us")
    rows = np.concatenate(latencies) / 1000
    print(
        f"no-op frame-to-result latency:    median {np.median(rows):.2f} ms, p99 {np.percentile(rows, 99):.2f} ms"
        f" over {rows.size} rows"
    )
    print(f"frames analysed/recorded:         {', '.join(analysed)}")
    if args.stamp:
        stamp_ratios = [with_ / without for with_, without in zip(fps["stamp"], fps["none"], strict=True)]
        print(f"recording fps, stamped:           {_spread(fps['stamp'])}")
        print(f"ratio stamped / none per round:   {_spread(stamp_ratios)}")
    costs = [stamp_cost_us() for _ in range(3)]
    print(f"stamping CPU per 640x480 frame:   {_spread(costs)} us")


if __name__ == "__main__":
    main()
