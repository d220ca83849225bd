"""Scenes with known answers for the judgement steps: slow noisy drift with known repeats, and
redundant copies of one scene with known damage.

Written independently of the project's synthetic camera: a smooth pattern (sum of low-frequency
sinusoids) drifts by a fractional number of pixels per frame and gets fresh Gaussian sensor noise
per exposure, so consecutive distinct frames differ by a grey level or two, like a real slow scene.
Frames are encoded by PyAV (libx264 crf 23 with a keyframe every 30 frames, the recorder's own
settings, or ffv1) into the recorder's session layout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

BASE_UTC_US = 1_763_600_000_000_000
_MICROSECOND = Fraction(1, 1_000_000)
Array = np.ndarray  # type: ignore[type-arg]


def drifting(count: int, width: int, height: int, speed_px: float, sigma: float, seed: int) -> list[Array]:
    """``count`` distinct exposures of a pattern moving ``speed_px`` per frame, each with its own noise."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    waves = [
        (rng.uniform(0.02, 0.09), rng.uniform(0.02, 0.09), rng.uniform(0, 6.3), rng.uniform(15, 35)) for _ in range(4)
    ]
    frames = []
    for index in range(count):
        shift = index * speed_px
        picture = 128.0 + sum(a * np.sin(fx * (xs - shift) + fy * ys + phase) for fx, fy, phase, a in waves)
        picture += rng.normal(0.0, sigma, picture.shape)
        frames.append(np.clip(np.round(picture), 0, 255).astype(np.uint8))
    return frames


def textured(count: int, width: int, height: int, speed_px: float, seed: int, colour: bool = False) -> list[Array]:
    """``count`` exposures of a blurred random texture sliding ``speed_px`` per frame, sigma-1 noise each:
    fine detail everywhere, so x264 spends its bits unevenly across a GOP, unlike on smooth waves."""
    rng = np.random.default_rng(seed)
    channels = 3 if colour else 1
    texture = cv2.GaussianBlur(rng.normal(0.0, 1.0, (height + 40, width + 40, channels)).astype(np.float32), (0, 0), 6)
    texture = (texture.reshape(height + 40, width + 40, channels) / texture.std() * 35 + 128).astype(np.float32)
    frames = []
    for index in range(count):
        shift = index * speed_px
        warp = np.float32([[1, 0, shift * 0.95 + 5], [0, 1, shift * 0.3 + 5]])
        clean = cv2.warpAffine(texture, warp, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
        clean = clean.reshape(height, width, channels)
        noisy = np.clip(np.rint(clean + rng.normal(0.0, 1.0, clean.shape)), 0, 255).astype(np.uint8)
        frames.append(noisy if colour else noisy[:, :, 0])
    return frames


def jpeg(frame: Array, quality: int) -> Array:
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_UNCHANGED)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class RepeatScene:
    """Rows of a recording: ``source[i]`` is the exposure row i shows; repeats show the previous one."""

    frames: list[Array]
    source: Array
    repeats: frozenset[int]


def with_repeats(exposures: list[Array], every: int, kind: str, seed: int) -> RepeatScene:
    """After roughly every ``every``-th exposure insert a repeat of it: byte-identical, or re-encoded as JPEG."""
    rng = np.random.default_rng(seed)
    frames, source, repeats = [], [], set()
    for index, exposure in enumerate(exposures):
        frames.append(exposure)
        source.append(index)
        if index and rng.integers(0, every) == 0:
            repeats.add(len(frames))
            frames.append(exposure.copy() if kind == "identical" else jpeg(exposure, 80))
            source.append(index)
    return RepeatScene(frames, np.array(source), frozenset(repeats))


def encode(path: Path, frames: list[Array], times_us: Array, codec: str) -> None:
    """Encode as the recorder does: libx264 crf 23, keyframe every 30 frames (or every frame), or ffv1."""
    height, width = frames[0].shape[:2]
    colour = frames[0].ndim == 3
    with av.open(str(path), mode="w", format="matroska") as output:
        if codec == "ffv1":
            stream = output.add_stream("ffv1", rate=30)
            stream.pix_fmt = "bgr0" if colour else "gray"
        else:
            stream = output.add_stream("libx264", rate=30)
            stream.pix_fmt = "yuv420p"
            # h264-intra: every frame a keyframe, so damage cannot leak into the next frame by prediction
            stream.options = {"preset": "ultrafast", "crf": "23", "g": "1" if codec == "h264-intra" else "30"}
        stream.width, stream.height = width, height
        stream.codec_context.time_base = _MICROSECOND
        for pixels, time_us in zip(frames, times_us, strict=True):
            frame = av.VideoFrame.from_ndarray(pixels, format="bgr24" if colour else "gray")
            frame.pts, frame.time_base = int(time_us), _MICROSECOND
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))


def write_session(
    folder: Path,
    cameras: dict[str, list[Array]],
    codec: str = "h264",
    frame_ids: dict[str, Array] | None = None,
    times_us: dict[str, Array] | None = None,
    fps: float = 30.0,
) -> None:
    """A session folder as the recorder leaves it: videos, timestamp tables, manifest."""
    folder.mkdir(parents=True)
    entries = {}
    for name, frames in cameras.items():
        rows = len(frames)
        host = times_us[name] if times_us else np.round(np.arange(rows) * 1e6 / fps).astype(np.int64)
        ids = frame_ids[name] if frame_ids else np.arange(rows)
        encode(folder / f"{name}.mkv", frames, host, codec)
        table = np.column_stack([np.arange(rows), ids, host, host + BASE_UTC_US, np.full(rows, -1)])
        header = "frame_index,camera_frame_id,host_time_us,utc_time_us,device_time_ns"
        np.savetxt(folder / f"{name}.timestamps.csv", table, fmt="%d", delimiter=",", header=header, comments="")
        height, width = frames[0].shape[:2]
        entries[name] = {
            "video": f"{name}.mkv",
            "timestamps": f"{name}.timestamps.csv",
            "width": width,
            "height": height,
            "pixel_format": "bgr8" if frames[0].ndim == 3 else "mono8",
            "nominal_fps": fps,
            "onset_utc_us": BASE_UTC_US,
            "frames_in_video": rows,
            "exit_state": "stopped",
        }
    manifest = {"format": 1, "session": folder.name, "exit_state": "stopped", "cameras": entries}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def decode_gray(path: Path) -> list[Array]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="gray") for frame in container.decode(container.streams.video[0])]


DAMAGE = ("garbage_blocks", "garbage_slice", "black_quadrant", "black_band", "grey_half", "pixelated", "jpeg_blocking")


def damage(frame: Array, kind: str, rng: np.random.Generator) -> Array:
    """One kind of damage seen in real transmissions and decoders, at a random place."""
    out = frame.copy()
    height, width = out.shape[:2]
    if kind == "garbage_blocks":
        for _ in range(6):
            y, x = int(rng.integers(0, height // 16)) * 16, int(rng.integers(0, width // 16)) * 16
            out[y : y + 16, x : x + 16] = rng.integers(0, 256, (16, 16), dtype=np.uint8)
    elif kind == "garbage_slice":
        y = int(rng.integers(0, height // 16 - 1)) * 16
        out[y : y + 16] = rng.integers(0, 256, (16, width), dtype=np.uint8)
        out[y + 16 :] = np.roll(out[y + 16 :], int(rng.integers(8, width // 2)), axis=1)  # the rest torn sideways
    elif kind == "black_quadrant":
        top, left = int(rng.integers(0, 2)) * height // 2, int(rng.integers(0, 2)) * width // 2
        out[top : top + height // 2, left : left + width // 2] = 0
    elif kind == "black_band":
        y = int(rng.integers(0, height - 24))
        out[y : y + 20, : int(rng.integers(width // 3, width))] = 0
    elif kind == "grey_half":
        if rng.integers(0, 2):
            out[:, width // 2 :] = 128
        else:
            out[height // 2 :] = 128
    elif kind == "pixelated":
        small = cv2.resize(out, (width // 8, height // 8), interpolation=cv2.INTER_AREA)
        out = cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)
    elif kind == "jpeg_blocking":
        out = jpeg(out, 5)
    else:
        raise ValueError(kind)
    return out
