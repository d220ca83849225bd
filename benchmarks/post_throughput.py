"""Post-stop throughput against bare ffmpeg, in one command.

    python benchmarks/post_throughput.py [--seconds 10] [--keep DIR]

1. Mosaic: a 2-camera 640x480 session stitched by `camd stitch`'s code path (decode, align, compose,
   label, x264 ultrafast) against ffmpeg's own `hstack` of the same two files in this run (decode,
   stack, x264 ultrafast). Output frames per second and the ratio (target >= 0.8).
2. Dedupe hashing: vectorised pHash on 640x480 gray frames against imagehash.phash (target >= 5,000 fps).
"""

from __future__ import annotations

import argparse
import json
import subprocess
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


def bench_mosaic(folder: Path, frames: int, rounds: int) -> tuple[float, float]:
    """Best of ``rounds`` alternating runs each, so a neighbour's burst of CPU hurts neither side alone."""
    command = [ffmpeg_path(), "-v", "error", "-y", "-i", str(folder / "left.mkv"), "-i", str(folder / "right.mkv")]
    command += ["-filter_complex", "hstack=inputs=2", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18"]
    command += ["-pix_fmt", "yuv420p", str(folder / "hstack.mkv")]
    ours, theirs = 0.0, 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        result = run_post(folder, PostOptions(progress=False), force=True)
        ours = max(ours, result.frames_written / (time.perf_counter() - started))
        started = time.perf_counter()
        subprocess.run(command, check=True)
        theirs = max(theirs, frames / (time.perf_counter() - started))
    return ours, theirs


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
    parser.add_argument("--seconds", type=float, default=20.0, help="recording length per camera")
    parser.add_argument("--keep", type=Path, help="build the session here and keep it")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs per side; the best counts")
    args = parser.parse_args()
    frames = int(args.seconds * FPS)
    with tempfile.TemporaryDirectory() as scratch:
        folder = (args.keep or Path(scratch)) / "bench_session"
        make_session(folder, frames)
        ours, theirs = bench_mosaic(folder, frames, args.rounds)
    print(f"mosaic 2x{WIDTH}x{HEIGHT} -> x264 ultrafast, {frames} frames")
    print(f"  camd stitch (align+compose+labels+time): {ours:7.1f} output frames/s")
    print(f"  ffmpeg hstack (same inputs, same run):   {theirs:7.1f} output frames/s")
    print(f"  ratio: {ours / theirs:.2f}x (target >= 0.8x; best of {args.rounds} alternating runs each)")
    hashed, reference = bench_hash(4096)
    print(f"dedupe pHash {WIDTH}x{HEIGHT} gray: {hashed:,.0f} frames/s vectorised; imagehash {reference:,.0f} frames/s")
    print(f"  {hashed / reference:.1f}x imagehash (target >= 5,000 frames/s)")


if __name__ == "__main__":
    main()
