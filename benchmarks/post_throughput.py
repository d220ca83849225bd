"""Post-stop throughput against bare ffmpeg, in one command.

    python benchmarks/post_throughput.py [--seconds 10] [--keep DIR]

1. Mosaic: a 2-camera 640x480 session stitched by `camd stitch` (decode, align, compose, label,
   x264 ultrafast, report) against ffmpeg's own `hstack` of the same two files in this run (decode,
   stack, x264 ultrafast). Both as whole processes, the way a user runs them, start-up included,
   in alternating rounds; also `run_post` in-process. Ratios as min/median/max (target >= 1.0x).
2. Dedupe hashing: vectorised pHash on 640x480 gray frames against imagehash.phash (target >= 5,000 fps).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from camera_daemon.cameras.base import FrameGeometry, PixelFormat
from camera_daemon.cameras.synthetic import SceneRenderer
from camera_daemon.encoding.binary import ffmpeg_path
from camera_daemon.post.dedupe import phash_batch
from camera_daemon.post.options import PostOptions
from camera_daemon.post.session_io import write_timestamp_table
from camera_daemon.post.workflow import run_post

WIDTH, HEIGHT, FPS = 640, 480, 30.0
ONSET_UTC_US = 1_763_600_000_000_000


def record(folder: Path, name: str, frames: int, start_us: int) -> None:
    geometry = FrameGeometry(WIDTH, HEIGHT, PixelFormat.mono8, FPS)
    renderer = SceneRenderer(geometry)
    pixels = np.empty(geometry.shape, dtype=np.uint8)
    host = np.round(np.arange(frames) * 1e6 / FPS).astype(np.int64)
    with av.open(str(folder / f"{name}.mkv"), mode="w") as output:
        stream = output.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "18"}
        stream.codec_context.time_base = Fraction(1, 1_000_000)
        for index, time_us in enumerate(host):
            renderer.render(index, pixels)
            frame = av.VideoFrame.from_ndarray(pixels, format="gray")
            frame.pts, frame.time_base = int(time_us), Fraction(1, 1_000_000)
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    onset = ONSET_UTC_US + start_us
    write_timestamp_table(
        folder / f"{name}.timestamps.csv",
        {
            "frame_index": np.arange(frames),
            "camera_frame_id": np.arange(frames),
            "host_time_us": host,
            "utc_time_us": host + onset,
            "device_time_ns": np.full(frames, -1),
        },
    )


def make_session(folder: Path, frames: int) -> None:
    folder.mkdir(parents=True)
    cameras = {}
    for name, start_us in (("left", 0), ("right", 5_000)):
        record(folder, name, frames, start_us)
        cameras[name] = {
            "video": f"{name}.mkv",
            "timestamps": f"{name}.timestamps.csv",
            "width": WIDTH,
            "height": HEIGHT,
            "pixel_format": "mono8",
            "nominal_fps": FPS,
            "onset_utc_us": ONSET_UTC_US + start_us,
            "frames_in_video": frames,
            "exit_state": "stopped",
        }
    manifest = {"format": 1, "session": folder.name, "exit_state": "stopped", "cameras": cameras}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def spread(values: list[float], unit: str = "") -> str:
    return f"median {statistics.median(values):.2f}{unit} (min {min(values):.2f}, max {max(values):.2f})"


def bench_mosaic(folder: Path, frames: int, rounds: int) -> dict[str, list[float]]:
    """Output frames per second of each side, per round; the sides alternate within a round, so a
    neighbour's burst of CPU lands on both rather than on one."""
    command = [ffmpeg_path(), "-v", "error", "-y", "-i", str(folder / "left.mkv"), "-i", str(folder / "right.mkv")]
    command += ["-filter_complex", "hstack=inputs=2", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18"]
    command += ["-pix_fmt", "yuv420p", str(folder / "hstack.mkv")]
    camd = [sys.executable, "-m", "camera_daemon", "stitch", str(folder), "--force"]
    fps: dict[str, list[float]] = {"camd": [], "in_process": [], "ffmpeg": []}
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(camd, check=True, capture_output=True)
        fps["camd"].append(frames / (time.perf_counter() - started))
        started = time.perf_counter()
        subprocess.run(command, check=True)
        fps["ffmpeg"].append(frames / (time.perf_counter() - started))
        started = time.perf_counter()
        result = run_post(folder, PostOptions(progress=False), force=True)
        fps["in_process"].append(result.frames_written / (time.perf_counter() - started))
    return fps


def bench_hash(count: int) -> tuple[float, float]:
    geometry = FrameGeometry(WIDTH, HEIGHT, PixelFormat.mono8, FPS)
    renderer = SceneRenderer(geometry, scene="slow")
    frames = []
    for index in range(256):
        pixels = np.empty(geometry.shape, dtype=np.uint8)
        renderer.render(index, pixels)
        frames.append(pixels)
    batches = [frames[i : i + 64] for i in range(0, len(frames), 64)]
    phash_batch(batches[0])
    started = time.perf_counter()
    done = 0
    while done < count:
        for batch in batches:
            phash_batch(batch)
            done += len(batch)
    ours = done / (time.perf_counter() - started)
    import imagehash
    from PIL import Image

    started = time.perf_counter()
    for pixels in frames[:100]:
        imagehash.phash(Image.fromarray(pixels))
    reference = 100 / (time.perf_counter() - started)
    return ours, reference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=100.0, help="recording length per camera")
    parser.add_argument("--keep", type=Path, help="build the session here and keep it")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs per side")
    args = parser.parse_args()
    frames = int(args.seconds * FPS)
    with tempfile.TemporaryDirectory() as scratch:
        folder = (args.keep or Path(scratch)) / "bench_session"
        make_session(folder, frames)
        fps = bench_mosaic(folder, frames, args.rounds)
    print(f"mosaic 2x{WIDTH}x{HEIGHT} -> x264 ultrafast, {frames} frames, {args.rounds} alternating rounds")
    print(f"  camd stitch, whole process:        {spread(fps['camd'])} output frames/s")
    print(f"  run_post in-process:               {spread(fps['in_process'])} output frames/s")
    print(f"  ffmpeg hstack, whole process:      {spread(fps['ffmpeg'])} output frames/s")
    whole = [ours / theirs for ours, theirs in zip(fps["camd"], fps["ffmpeg"], strict=True)]
    inner = [ours / theirs for ours, theirs in zip(fps["in_process"], fps["ffmpeg"], strict=True)]
    print(f"  ratio whole process: {spread(whole, 'x')}  (target >= 1.0x on the median)")
    print(f"  ratio in-process:    {spread(inner, 'x')}")
    hashed, reference = bench_hash(4096)
    print(f"dedupe pHash {WIDTH}x{HEIGHT} gray: {hashed:,.0f} frames/s vectorised; imagehash {reference:,.0f} frames/s")
    print(f"  {hashed / reference:.1f}x imagehash (target >= 5,000 frames/s)")


if __name__ == "__main__":
    main()
