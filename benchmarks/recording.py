"""Recording throughput, logging cost, memory and stop latency, against bare ffmpeg in the same run.

    python benchmarks/recording.py [--rounds 3] [--soak-seconds 30] [--skip-logging]

Whole processes as a user runs them, start-up included: ``camd run`` of a free-running synthetic
camera (which waits for the encoder instead of dropping) for a few seconds, then bare ffmpeg with
camd's encoder command fed the same number of frames of the same scene as raw bytes, by a process
that renders them like the camera does. Rounds alternate; ratios are printed as median with min/max.
CPU is the whole process tree's (os.wait4), so the recorder's workers, ffmpeg and logger all count.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from camera_daemon.cameras.base import FrameGeometry, PixelFormat
from camera_daemon.cameras.synthetic import SceneRenderer
from camera_daemon.config import EncoderConfig, parse_config
from camera_daemon.daemon.status import CameraStatus
from camera_daemon.encoding.command import build_command
from camera_daemon.recording import record
from camera_daemon.timing.batcher import TimestampBatcher
from camera_daemon.timing.forwarder import LogForwarder

WIDTH, HEIGHT = 640, 480
SIZES = ((640, 480, 4.0), (1280, 1024, 6.0))  # width, height, seconds recorded per round


def _raw_input_command(width: int, height: int, output: Path) -> list[str]:
    """camd's own encoder command with bare raw frames on stdin instead of timed NUT packets: the
    cheapest way ffmpeg can be fed, so the baseline is the encoder alone."""
    geometry = FrameGeometry(width, height, PixelFormat.mono8, 30)
    args = build_command(EncoderConfig(), geometry, output)
    at = args.index("-i")
    raw = ["-f", "rawvideo", "-pix_fmt", "gray", "-s", f"{width}x{height}", "-framerate", "30"]
    tail = args[at + 2 :]
    for option in ("-fps_mode", "-enc_time_base"):  # the timed input's options: raw frames have no times
        index = tail.index(option)
        del tail[index : index + 2]
    return [*args[: args.index("-f")], *raw, "-i", "pipe:", *tail]


def bare_feeder(width: int, height: int, frames: int, output: Path) -> None:
    """The bare side as its own process: render a pool like the synthetic camera, pipe ``frames`` of them."""
    renderer = SceneRenderer(FrameGeometry(width, height, PixelFormat.mono8, 30))
    pool = np.zeros((64, height, width), np.uint8)
    for index in range(pool.shape[0]):
        renderer.render(index, pool[index])
    process = subprocess.Popen(_raw_input_command(width, height, output), stdin=subprocess.PIPE)
    assert process.stdin is not None
    for index in range(frames):
        process.stdin.write(memoryview(pool[index % pool.shape[0]]))
    process.stdin.close()
    process.wait()


def _timed(args: list[str]) -> tuple[float, float]:
    """Wall seconds from launch to exit, and CPU seconds of the whole process tree (every
    descendant it waited for: workers, ffmpeg, the logger)."""
    begin = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - begin
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        assert process.stderr is not None
        raise SystemExit(f"{args[:4]} failed: {process.stderr.read().decode(errors='replace').strip()}")
    return wall, usage.ru_utime + usage.ru_stime


def camd_round(workdir: Path, width: int, height: int, seconds: float) -> tuple[float, float, int]:
    """``camd run`` of a free-running synthetic camera, as a user runs it: wall, tree CPU, frames saved."""
    spec = f"free=synthetic:?fps=0&width={width}&height={height}"
    args = [sys.executable, "-m", "camera_daemon", "run", "--camera", spec, "--duration", f"{seconds:g}"]
    wall, cpu = _timed([*args, "--output", str(workdir), "--session", "s", "--quiet"])
    manifest = json.loads((workdir / "s" / "manifest.json").read_text())
    entry = manifest["cameras"]["free"]
    assert entry["frames_in_video"] == entry["timestamps_logged"]
    return wall, cpu, int(entry["frames_in_video"])


def bare_round(workdir: Path, width: int, height: int, frames: int) -> tuple[float, float]:
    workdir.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, __file__, "--bare-feeder", f"{width}x{height}x{frames}", str(workdir / "bare.mkv")]
    return _timed(args)


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.3f} (min {min(values):.3f}, max {max(values):.3f})"


def compare(workdir: Path, width: int, height: int, seconds: float, rounds: int) -> None:
    """Alternating rounds; each bare round feeds as many frames as the camd round before it saved."""
    fps_ratio: list[float] = []
    cpu_ratio: list[float] = []
    lines: list[str] = []
    for index in range(rounds):
        wall, cpu, frames = camd_round(workdir / f"camd{width}_{index}", width, height, seconds)
        bare_wall, bare_cpu = bare_round(workdir / f"bare{width}_{index}", width, height, frames)
        fps_ratio.append((frames / wall) / (frames / bare_wall))
        cpu_ratio.append((cpu / frames) / (bare_cpu / frames))
        lines.append(
            f"    round {index}: {frames} frames; camd {frames / wall:7.1f} fps {cpu / frames * 1e3:.3f} ms CPU/frame; "
            f"bare {frames / bare_wall:7.1f} fps {bare_cpu / frames * 1e3:.3f} ms CPU/frame"
        )
    print(f"gray {width}x{height} x264 ultrafast, whole process trees, start-up included, {rounds} alternating rounds")
    print("\n".join(lines))
    print(f"  fps vs bare ffmpeg:      {_spread(fps_ratio)}  (target: median >= 0.95)")
    print(f"  CPU per frame vs bare:   {_spread(cpu_ratio)}  (target: median <= 1.10)")


def _logging_cpu_s(frames: int, fps: float) -> float:
    """CPU seconds (this process and the logger's processes) to log ``frames`` frames at ``fps``."""
    before_self = resource.getrusage(resource.RUSAGE_SELF)
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as folder:
        forwarder = LogForwarder(Path(folder))
        forwarder.start()
        reader, writer = multiprocessing.get_context("spawn").Pipe(duplex=False)
        forwarder.add_channel(reader, 1)
        batcher = TimestampBatcher(writer)
        for index in range(frames):
            batcher.add(index, index, 1 + int(index * 1e6 / fps), -1)
        batcher.flush()
        writer.close()
        forwarder.stop()
    after_self = resource.getrusage(resource.RUSAGE_SELF)
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return sum(
        getattr(after, field) - getattr(before, field)
        for after, before in ((after_self, before_self), (after_children, before_children))
        for field in ("ru_utime", "ru_stime")
    )


def logging_cost(seconds: float = 60.0, fps: float = 200.0) -> float:
    """Fraction of one core that logging costs one camera at ``fps``: the same logger run with and
    without ``seconds`` worth of frames, so start-up cost is not counted as per-frame cost."""
    idle = _logging_cpu_s(0, fps)
    busy = _logging_cpu_s(int(seconds * fps), fps)
    return max(0.0, busy - idle) / seconds


def soak(workdir: Path, seconds: float) -> tuple[float, float]:
    """Resident memory of a 30 fps worker after warm-up and at the end of ``seconds`` (MiB)."""
    config = parse_config(
        {
            "session": {"output": str(workdir), "name": "soak", "duration_s": seconds},
            "cameras": [{"name": "soak", "fps": 30, "width": WIDTH, "height": HEIGHT}],
        }
    )
    samples: list[tuple[float, float]] = []
    start = time.monotonic()

    def tick(statuses: list[CameraStatus]) -> None:
        elapsed = time.monotonic() - start
        if not samples or elapsed - samples[-1][0] >= 5:
            status = Path(f"/proc/{statuses[0].pid}/status").read_text()
            rss_kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
            samples.append((elapsed, rss_kib / 1024))

    record(config, on_tick=tick)
    warm = next((rss for t, rss in samples if t >= min(10.0, seconds / 3)), samples[0][1])
    return warm, samples[-1][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--soak-seconds", type=float, default=30.0, help="0 skips the memory soak")
    parser.add_argument("--skip-logging", action="store_true")
    parser.add_argument("--bare-feeder", nargs=2, metavar=("WxHxN", "OUTPUT"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.bare_feeder:
        width, height, frames = map(int, options.bare_feeder[0].split("x"))
        bare_feeder(width, height, frames, Path(options.bare_feeder[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        for width, height, seconds in SIZES:
            compare(workdir, width, height, seconds, max(1, options.rounds))
        if not options.skip_logging:
            cost = logging_cost()
            print(f"  timestamp logging at 200 fps: {cost * 100:.2f} % of a core per camera  (target <= 2 %)")
        if options.soak_seconds > 0:
            warm, end = soak(workdir, options.soak_seconds)
            print(
                f"  worker RSS over {options.soak_seconds:.0f} s at 30 fps: {warm:.1f} -> {end:.1f} MiB "
                f"(delta {end - warm:+.1f} MiB, target within 10)"
            )


if __name__ == "__main__":
    main()
