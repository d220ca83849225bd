"""What watching costs the recording: fps with the preview page open versus closed, and CPU.

    python benchmarks/preview_cost.py [--rounds 6] [--round-seconds 5]

One `camd start` session per part, rounds alternating closed / open in the same session:
- throughput: one free-running 640x480 synthetic camera (it records as fast as the encoder takes
  frames); recording fps per round from the daemon's frame counter; ratio of medians open / closed
  (target >= 0.98).
- CPU: one 640x480 camera paced at 30 fps, so the machine has room and the difference is the
  preview's own work; CPU seconds per second of the daemon (which serves and encodes the JPEGs), the
  camera's worker (which downscales and publishes) and its ffmpeg, open minus closed, as a share of
  one core.
"Open" is a client that does what the page does: fetch the camera's frame.jpg, then wait out the
rest of the preview interval (10 fps by default), and fetch /api/status twice a second.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil

RATE_HZ = 10.0  # the default [preview] rate
SETTLE_S = 2.5  # a tap stays wanted 2 s after the last request: let a closed round really be closed


class Watcher:
    """A client polling like the page: one tile at the preview rate, the status twice a second."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.watching = threading.Event()
        self.done = threading.Event()
        self.frames = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        next_status = 0.0
        while not self.done.is_set():
            if not self.watching.is_set():
                self.done.wait(0.05)
                continue
            started = time.monotonic()
            with urllib.request.urlopen(self.url + "api/cameras/cam/frame.jpg", timeout=10) as reply:
                reply.read()
            self.frames += 1
            if started >= next_status:
                with urllib.request.urlopen(self.url + "api/status", timeout=10) as reply:
                    reply.read()
                next_status = started + 0.5
            self.done.wait(max(0.0, 1.0 / RATE_HZ - (time.monotonic() - started)))


def _camd(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "camera_daemon", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=300)


def _status(env: dict[str, str]) -> dict[str, Any]:
    from camera_daemon.daemon.protocol import request
    from camera_daemon.daemon.runtime import DaemonPaths

    os.environ["CAMD_RUNTIME_DIR"] = env["CAMD_RUNTIME_DIR"]
    return request(DaemonPaths("bench").socket, "status")


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        times = psutil.Process(pid).cpu_times()
        total += times.user + times.system
    return total


def run_part(workdir: Path, fps: int, rounds: int, round_s: float) -> dict[str, list[float]]:
    """Alternating closed/open rounds in one session: per round, recording fps and camd's CPU share."""
    env = {**os.environ, "CAMD_RUNTIME_DIR": str(workdir / "runtime"), "COLUMNS": "200"}
    camera = f"cam=synthetic:?width=640&height=480&fps={fps}"
    started = _camd("start", "--camera", camera, "--output", str(workdir), "--session", f"fps{fps}", "--name", "bench",
                    env=env)  # fmt: skip
    if started.returncode != 0:
        raise SystemExit(started.stderr)
    url = re.search(r"camd: preview: (http://\S+)", started.stderr)
    assert url is not None, started.stderr
    watcher = Watcher(url.group(1))
    results: dict[str, list[float]] = {"closed_fps": [], "open_fps": [], "closed_cpu": [], "open_cpu": []}
    try:
        first = _status(env)
        row = first["cameras"][0]
        pids = [int(first["pid"]), int(row["pid"]), int(row["encoder_pid"])]
        for index in range(2 * rounds):
            kind = "open" if index % 2 else "closed"
            if kind == "open":
                watcher.watching.set()
            else:
                watcher.watching.clear()
            time.sleep(SETTLE_S)
            frames0, cpu0, t0 = _status(env)["cameras"][0]["frames_written"], _cpu_seconds(pids), time.monotonic()
            time.sleep(round_s)
            frames1, cpu1, t1 = _status(env)["cameras"][0]["frames_written"], _cpu_seconds(pids), time.monotonic()
            results[f"{kind}_fps"].append((frames1 - frames0) / (t1 - t0))
            results[f"{kind}_cpu"].append((cpu1 - cpu0) / (t1 - t0))
            print(f"  fps={fps} round {index + 1:2d} {kind:6s} {results[f'{kind}_fps'][-1]:7.1f} fps  "
                  f"camd cpu {results[f'{kind}_cpu'][-1]:.3f} core", flush=True)  # fmt: skip
    finally:
        watcher.done.set()
        stopped = _camd("stop", "--name", "bench", env=env)
    if stopped.returncode != 0:
        raise SystemExit(stopped.stderr)
    print(f"  tiles fetched while open: {watcher.frames}")
    return results


def tap_costs() -> tuple[float, float]:
    """What the recording path pays per grabbed frame: ``offer`` when nobody watches (ns), and a
    publish of a 640x480 frame downscaled to the default 320 px (µs)."""
    import numpy as np

    from camera_daemon.tap import TapReader, TapSpec, TapWriter

    name = f"camd-bench-tap-{os.getpid()}"
    frame = np.random.default_rng(0).integers(0, 255, (480, 640), dtype=np.uint8)
    writer = TapWriter.create(TapSpec(name, width=320, rate_hz=RATE_HZ), frame.shape, frame.dtype)
    try:
        calls = 1_000_000
        start = time.perf_counter()
        for index in range(calls):
            writer.offer(frame, index, index, index)
        idle_ns = (time.perf_counter() - start) / calls * 1e9
        reader = TapReader.attach(name)
        assert reader is not None
        reader.want(60, rate_hz=1e9)  # every offer publishes
        while not writer.offer(frame, 0, 0, 0):
            pass
        publishes = 2000
        start = time.perf_counter()
        for index in range(publishes):
            writer.offer(frame, index, index, index)
        publish_us = (time.perf_counter() - start) / publishes * 1e6
        reader.close()
    finally:
        writer.close()
    return idle_ns, publish_us


def _pairwise(opened: list[float], closed: list[float]) -> list[float]:
    """Each open round against the mean of the closed rounds either side: the machine's own drift
    (other work on a shared box) cancels better than in a ratio of medians."""
    ratios = []
    for index, value in enumerate(opened):
        neighbours = closed[index : index + 2]
        ratios.append(value / statistics.mean(neighbours))
    return ratios


def _spread(values: list[float], digits: int = 1) -> str:
    return f"median {statistics.median(values):.{digits}f} (min {min(values):.{digits}f}, max {max(values):.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6, help="open rounds (and as many closed ones) per part")
    parser.add_argument("--round-seconds", type=float, default=5.0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="camd-preview-bench-", ignore_cleanup_errors=True) as folder:
        print("throughput: free-running 640x480 camera, page closed vs open (alternating rounds)")
        free = run_part(Path(folder), 0, options.rounds, options.round_seconds)
        print("CPU: 640x480 camera at 30 fps, page closed vs open (alternating rounds)")
        paced = run_part(Path(folder), 30, options.rounds, options.round_seconds)
    idle_ns, publish_us = tap_costs()
    ratio = statistics.median(free["open_fps"]) / statistics.median(free["closed_fps"])
    pairwise = _pairwise(free["open_fps"], free["closed_fps"])
    added = [o - c for o, c in zip(paced["open_cpu"], paced["closed_cpu"], strict=True)]
    print(f"recording fps, page closed: {_spread(free['closed_fps'])}")
    print(f"recording fps, page open:   {_spread(free['open_fps'])}")
    print(f"ratio open/closed (medians): {ratio:.3f} (target >= 0.98): {'ok' if ratio >= 0.98 else 'BELOW TARGET'}")
    print(f"ratio per open round / its closed neighbours: {_spread(pairwise, 3)}")
    print(f"tap on the recording path: {idle_ns:.0f} ns per frame unwatched, {publish_us:.0f} us per published frame")
    print(f"camd CPU at 30 fps, closed: {_spread(paced['closed_cpu'], 3)} core")
    print(f"camd CPU at 30 fps, open:   {_spread(paced['open_cpu'], 3)} core")
    print(f"CPU the preview adds per watched camera at {RATE_HZ:g} fps: {_spread(added, 3)} of one core "
          "(pairwise open minus the closed round before it)")  # fmt: skip


if __name__ == "__main__":
    main()
