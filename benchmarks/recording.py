"""Recording throughput, logging cost, memory and stop latency, against bare ffmpeg in the same run.

    python benchmarks/recording.py [--rounds 3] [--soak-seconds 30] [--skip-logging] [--marginal]

Whole processes as a user runs them, start-up included: ``camd run`` of a free-running synthetic
camera (which waits for the encoder instead of dropping) for a few seconds, then bare ffmpeg with
camd's encoder command fed the same number of frames of the same scene as raw bytes, by a process
that renders them like the camera does. Rounds alternate; ratios are printed as median with min/max.

Three figures per size, because a whole-process rate mixes two different costs:
- whole process: frames over launch-to-exit wall time, start-up and stop included;
- steady: the rate while frames flow, over the middle 80 % of frames on both sides (camd's from
  its timestamp table, the bare feeder's from the time of each write): the ends are left out
  because camd's ring fills in a burst at the start and is drained at the end, which would flatter
  camd by ~1 %, and the bare side has no ring;
- fixed cost: launch to first frame and last frame to exit, in seconds;
- with ``--marginal``, the CPU of one more frame: each round also runs both sides twice as long,
  and the difference of the two runs' CPU over the difference of their frames cancels what a run
  pays once (interpreters, imports, the logger's processes).

CPU is everything the command started, to its end. os.wait4 on the command alone undercounts camd
by more than half: its workers are forked by multiprocessing's forkserver, which camd never waits
for, so a worker's CPU and its ffmpeg's land in a process nobody reaps. This process therefore makes
itself the child subreaper: orphans are re-parented here, waited for once they end (the forkserver,
the resource tracker, the detached log packer), and counted in RUSAGE_CHILDREN.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from camera_daemon.cameras.base import FrameGeometry, PixelFormat
from camera_daemon.cameras.synthetic import SceneRenderer
from camera_daemon.config import EncoderConfig
from camera_daemon.encoding.command import build_command

WIDTH, HEIGHT = 640, 480
SIZES = ((640, 480, 4.0), (1280, 1024, 6.0))  # width, height, seconds recorded per round
_PR_SET_CHILD_SUBREAPER = 36
_F_SETPIPE_SZ = 1031
_ORPHANS_DEADLINE_S = 120.0


def _raw_input_command(width: int, height: int, fps: float, output: Path) -> list[str]:
    """camd's own encoder command with bare raw frames on stdin instead of timed NUT packets: the
    cheapest way ffmpeg can be fed, so the baseline is the encoder alone. The nominal rate is the
    rate camd recorded at: x264's rate control gives frames of a 30 fps stream ~17 % more bits
    (and itself more work) than the same frames a millisecond apart, which is what camd's times say."""
    geometry = FrameGeometry(width, height, PixelFormat.mono8, 30)
    args = build_command(EncoderConfig(), geometry, output)
    at = args.index("-i")
    raw = ["-f", "rawvideo", "-pix_fmt", "gray", "-s", f"{width}x{height}", "-framerate", f"{fps:.3f}"]
    tail = args[at + 2 :]
    for option in ("-fps_mode", "-enc_time_base"):  # the timed input's options: raw frames have no times
        index = tail.index(option)
        del tail[index : index + 2]
    return [*args[: args.index("-f")], *raw, "-i", "pipe:", *tail]


def bare_feeder(width: int, height: int, frames: int, fps: float, output: Path) -> None:
    """The bare side as its own process: render each frame as the synthetic camera does (the same
    scene, frame by frame: a pool of frames played in a loop would add a scene cut at every wrap,
    ~17 % more bits), pipe it through a pipe as large as camd's, and keep each write's start time
    (UTC ns) beside the video."""
    renderer = SceneRenderer(FrameGeometry(width, height, PixelFormat.mono8, 30))
    frame = np.zeros((height, width), np.uint8)
    times = np.zeros(frames, np.int64)
    process = subprocess.Popen(_raw_input_command(width, height, fps, output), stdin=subprocess.PIPE)
    assert process.stdin is not None
    try:
        import fcntl

        fcntl.fcntl(process.stdin.fileno(), _F_SETPIPE_SZ, 1 << 20)
    except OSError:
        pass
    for index in range(frames):
        times[index] = time.time_ns()
        renderer.render(index, frame)
        process.stdin.write(memoryview(frame))
    process.stdin.close()
    process.wait()
    np.save(output.with_suffix(".times.npy"), times)


@dataclass
class Run:
    launched_s: float  # UTC
    exited_s: float  # UTC
    cpu_s: float  # the whole tree's, orphans included
    frame_times_s: np.ndarray  # UTC of each frame handed to the encoder (camd: its logged time)
    video_bytes: int  # equal on both sides when x264 did the same work

    @property
    def frames(self) -> int:
        return len(self.frame_times_s)

    @property
    def whole_fps(self) -> float:
        return self.frames / (self.exited_s - self.launched_s)

    @property
    def steady_fps(self) -> float:
        low, high = self.frames // 10, self.frames - 1 - self.frames // 10
        return (high - low) / float(self.frame_times_s[high] - self.frame_times_s[low])

    @property
    def to_first_s(self) -> float:
        return float(self.frame_times_s[0]) - self.launched_s

    @property
    def after_last_s(self) -> float:
        return self.exited_s - float(self.frame_times_s[-1])


def _become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit(f"prctl(PR_SET_CHILD_SUBREAPER) failed: {os.strerror(ctypes.get_errno())}")


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _reap_orphans() -> None:
    """Wait for every process the command left behind; each one's CPU counts only once reaped."""
    deadline = time.monotonic() + _ORPHANS_DEADLINE_S
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.01)
    raise SystemExit(f"processes left running {_ORPHANS_DEADLINE_S:g} s after the command ended")


def _timed(args: list[str]) -> tuple[float, float, float]:
    """Launch and exit times (UTC s) and the CPU seconds of everything the command started."""
    _reap_orphans()
    cpu_before = _children_cpu_s()
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: processes left behind may hold it
        launched = time.time()
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, _ = os.wait4(process.pid, 0)
        exited = time.time()
        if os.waitstatus_to_exitcode(status) != 0:
            stderr.seek(0)
            raise SystemExit(f"{args[:4]} failed: {stderr.read().decode(errors='replace').strip()}")
    _reap_orphans()
    return launched, exited, _children_cpu_s() - cpu_before


def camd_round(workdir: Path, width: int, height: int, seconds: float) -> Run:
    """``camd run`` of a free-running synthetic camera, as a user runs it."""
    spec = f"free=synthetic:?fps=0&width={width}&height={height}"
    args = [sys.executable, "-m", "camera_daemon", "run", "--camera", spec, "--duration", f"{seconds:g}"]
    launched, exited, cpu = _timed([*args, "--output", str(workdir), "--session", "s", "--quiet"])
    manifest = json.loads((workdir / "s" / "manifest.json").read_text())
    entry = manifest["cameras"]["free"]
    assert entry["frames_in_video"] == entry["timestamps_logged"]
    table = np.loadtxt(workdir / "s" / entry["timestamps"], delimiter=",", skiprows=1, usecols=3, dtype=np.int64)
    assert len(table) == entry["frames_in_video"]
    return Run(launched, exited, cpu, table / 1e6, (workdir / "s" / entry["video"]).stat().st_size)


def bare_round(workdir: Path, width: int, height: int, frames: int, fps: float) -> Run:
    workdir.mkdir(parents=True, exist_ok=True)
    output = workdir / "bare.mkv"
    args = [sys.executable, __file__, "--bare-feeder", f"{width}x{height}x{frames}@{fps:.3f}", str(output)]
    launched, exited, cpu = _timed(args)
    return Run(launched, exited, cpu, np.load(output.with_suffix(".times.npy")) / 1e9, output.stat().st_size)


def _spread(values: list[float], digits: int = 3) -> str:
    return f"median {statistics.median(values):.{digits}f} (min {min(values):.{digits}f}, max {max(values):.{digits}f})"


def _pair(workdir: Path, width: int, height: int, seconds: float) -> tuple[Run, Run]:
    camd = camd_round(workdir / "camd", width, height, seconds)
    span = float(camd.frame_times_s[-1] - camd.frame_times_s[0])
    return camd, bare_round(workdir / "bare", width, height, camd.frames, (camd.frames - 1) / span)


def _marginal_ms(short: Run, long: Run) -> float:
    """CPU of one more frame: the difference of two runs of different lengths, so what a run costs
    once (interpreters, imports, the logger's processes, the packer) cancels out."""
    return (long.cpu_s - short.cpu_s) / max(1, long.frames - short.frames) * 1e3


def compare(workdir: Path, width: int, height: int, seconds: float, rounds: int, marginal: bool = False) -> None:
    """Alternating rounds; each bare round feeds as many frames as the camd round before it saved,
    at the rate camd recorded them. ``marginal`` adds a round twice as long on both sides."""
    pairs: list[tuple[Run, Run]] = []
    lines: list[str] = []
    per_frame: list[tuple[float, float]] = []
    for index in range(rounds):
        camd, bare = _pair(workdir / f"{width}_{index}", width, height, seconds)
        pairs.append((camd, bare))
        if marginal:
            camd_long, bare_long = _pair(workdir / f"{width}_{index}_long", width, height, 2 * seconds)
            per_frame.append((_marginal_ms(camd, camd_long), _marginal_ms(bare, bare_long)))
        lines.append(
            f"    round {index}: {camd.frames} frames; "
            + "; ".join(
                f"{name} {run.whole_fps:6.1f} fps whole, {run.steady_fps:6.1f} steady, "
                f"{run.cpu_s / run.frames * 1e3:.3f} ms CPU/frame, "
                f"fixed {run.to_first_s:.2f}+{run.after_last_s:.2f} s, {run.video_bytes / 1e6:.2f} MB"
                for name, run in (("camd", camd), ("bare", bare))
            )
        )
    print(f"gray {width}x{height} x264 ultrafast, whole process trees, {rounds} alternating rounds, load {_load()}")
    print("\n".join(lines))
    whole = _spread([c.whole_fps / b.whole_fps for c, b in pairs])
    steady = _spread([c.steady_fps / b.steady_fps for c, b in pairs])
    print(f"  fps vs bare, whole process:  {whole}  (target: >= 0.95)")
    print(f"  fps vs bare, steady:         {steady}  (target: >= 1.00)")
    print(f"  CPU per frame vs bare:       {_spread([c.cpu_s / b.cpu_s for c, b in pairs])}  (target: <= 1.10)")
    if per_frame:
        ratio = _spread([c / b for c, b in per_frame])
        print(
            f"  CPU of one more frame:       camd {_spread([c for c, _ in per_frame])} ms, "
            f"bare {_spread([b for _, b in per_frame])} ms; ratio {ratio}  (target: <= 1.10)"
        )
    print(f"  camd launch to first frame:  {_spread([c.to_first_s for c, _ in pairs], 2)} s")
    print(f"  camd last frame to exit:     {_spread([c.after_last_s for c, _ in pairs], 2)} s")
    print(f"  bare launch to first frame:  {_spread([b.to_first_s for _, b in pairs], 2)} s")
    print(f"  bare last frame to exit:     {_spread([b.after_last_s for _, b in pairs], 2)} s")


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _logging_cpu_s(frames: int, fps: float) -> float:
    """CPU seconds (this process and the logger's processes) to log ``frames`` frames at ``fps``."""
    import multiprocessing

    from camera_daemon.timing.batcher import TimestampBatcher
    from camera_daemon.timing.forwarder import LogForwarder

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
        float(getattr(after, field) - getattr(before, field))
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
    from camera_daemon.config import parse_config
    from camera_daemon.daemon.status import CameraStatus
    from camera_daemon.recording import record

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
    parser.add_argument("--marginal", action="store_true", help="add runs twice as long: CPU of one more frame")
    parser.add_argument("--bare-feeder", nargs=2, metavar=("WxHxN@FPS", "OUTPUT"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.bare_feeder:
        size, fps = options.bare_feeder[0].split("@")
        width, height, frames = map(int, size.split("x"))
        bare_feeder(width, height, frames, float(fps), Path(options.bare_feeder[1]))
        return
    _become_subreaper()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        for width, height, seconds in SIZES:
            compare(workdir, width, height, seconds, max(1, options.rounds), options.marginal)
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
