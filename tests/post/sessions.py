"""Build recorded sessions for tests: synthetic frames at chosen host times, encoded with PyAV.

A ``CameraPlan`` says what a camera did (rate, start, drops, repeats, pauses, damaged frames); the
folder written is the recorder's session layout, and the returned ``Recorded`` is the ground truth a
test compares decoded frame counters against.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from camera_daemon.cameras.base import FrameGeometry, PixelFormat
from camera_daemon.cameras.synthetic import SceneRenderer, content_sequence
from camera_daemon.config import CameraConfig, PostConfig, SessionConfig
from camera_daemon.config_toml import config_to_toml

BASE_UTC_US = 1_763_600_000_000_000
_MICROSECOND = Fraction(1, 1_000_000)


@dataclass(frozen=True)
class CameraPlan:
    name: str
    fps: float = 30.0
    slots: int = 30
    width: int = 320
    height: int = 240
    pixel_format: str = "mono8"
    scene: str = "texture"
    start_us: int = 0  # onset relative to BASE_UTC_US
    drops: tuple[int, ...] = ()
    repeats: tuple[int, ...] = ()
    pauses: dict[int, int] = field(default_factory=dict)  # slot -> extra µs before it
    black_band: tuple[int, ...] = ()  # video frames whose lower half is blacked out
    blur: bool = False
    codec: str = "h264"
    host_offset_us: int = 0  # first frame's host time


@dataclass(frozen=True)
class Recorded:
    """Ground truth per video frame."""

    plan: CameraPlan
    content: np.ndarray  # type: ignore[type-arg]
    camera_frame_id: np.ndarray  # type: ignore[type-arg]
    host_time_us: np.ndarray  # type: ignore[type-arg]
    onset_utc_us: int

    @property
    def utc_time_us(self) -> np.ndarray:  # type: ignore[type-arg]
        return self.host_time_us + self.onset_utc_us


def _schedule(plan: CameraPlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    ids, contents, times = [], [], []
    content = 0
    extra = 0
    for slot in range(plan.slots):
        extra += plan.pauses.get(slot, 0)
        if slot in plan.drops:
            continue
        content = content_sequence(slot, frozenset(plan.repeats), content)
        ids.append(slot)
        contents.append(content)
        times.append(plan.host_offset_us + round(slot * 1e6 / plan.fps) + extra)
    return np.array(ids), np.array(contents), np.array(times, dtype=np.int64)


def render_frames(plan: CameraPlan, contents: np.ndarray) -> list[np.ndarray]:  # type: ignore[type-arg]
    geometry = FrameGeometry(plan.width, plan.height, PixelFormat(plan.pixel_format), plan.fps)
    renderer = SceneRenderer(geometry, scene=plan.scene)
    frames = []
    for position, content in enumerate(contents):
        out = np.empty(geometry.shape, dtype=geometry.pixel_format.dtype)
        renderer.render(int(content), out)
        if plan.blur:
            band = out.shape[0] // 4
            out[band:] = cv2.GaussianBlur(out[band:], (9, 9), 3)
        if position in plan.black_band:
            out[plan.height // 2 : plan.height // 2 + plan.height // 4] = 0
        frames.append(out)
    return frames


def encode(path: Path, plan: CameraPlan, frames: list[np.ndarray], times_us: np.ndarray, container: str) -> None:  # type: ignore[type-arg]
    source_format = {"mono8": "gray", "bgr8": "bgr24", "mono16": "gray16le"}[plan.pixel_format]
    with av.open(str(path), mode="w", format=container) as output:
        if plan.codec == "ffv1":
            stream = output.add_stream("ffv1", rate=Fraction(plan.fps).limit_denominator(1001))
            stream.pix_fmt = {"gray": "gray", "bgr24": "bgr0", "gray16le": "gray16le"}[source_format]
        else:
            stream = output.add_stream("libx264", rate=Fraction(plan.fps).limit_denominator(1001))
            stream.pix_fmt = "yuv420p"
            stream.options = {"preset": "ultrafast", "crf": "18"}
        stream.width, stream.height = plan.width, plan.height
        stream.codec_context.time_base = _MICROSECOND
        for pixels, time_us in zip(frames, times_us, strict=True):
            frame = av.VideoFrame.from_ndarray(pixels, format=source_format)
            frame.pts = int(time_us)
            frame.time_base = _MICROSECOND
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))


def record_camera(folder: Path, plan: CameraPlan, video_name: str, container: str = "matroska") -> Recorded:
    ids, contents, times = _schedule(plan)
    encode(folder / video_name, plan, render_frames(plan, contents), times, container)
    return Recorded(plan, contents, ids, times, BASE_UTC_US + plan.start_us)


def record_session(folder: Path, plans: list[CameraPlan], post: PostConfig | None = None) -> dict[str, Recorded]:
    """Write a complete session folder (videos, tables, manifest, session.toml) and return the truth."""
    folder.mkdir(parents=True)
    (folder / "logs").mkdir()
    recorded = {plan.name: record_camera(folder, plan, f"{plan.name}.mkv") for plan in plans}
    cameras = {}
    for name, truth in recorded.items():
        plan = truth.plan
        rows = truth.content.size
        table = np.column_stack(
            [np.arange(rows), truth.camera_frame_id, truth.host_time_us, truth.utc_time_us, np.full(rows, -1)]
        )
        header = "frame_index,camera_frame_id,host_time_us,utc_time_us,device_time_ns"
        np.savetxt(folder / f"{name}.timestamps.csv", table, fmt="%d", delimiter=",", header=header, comments="")
        cameras[name] = {
            "video": f"{name}.mkv",
            "timestamps": f"{name}.timestamps.csv",
            "width": plan.width,
            "height": plan.height,
            "pixel_format": plan.pixel_format,
            "nominal_fps": plan.fps,
            "onset_utc_us": truth.onset_utc_us,
            "frames_in_video": rows,
            "exit_state": "stopped",
        }
    manifest = {"format": 1, "session": folder.name, "exit_state": "stopped", "cameras": cameras}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    config = SessionConfig(
        cameras=[
            CameraConfig(
                name=p.name, width=p.width, height=p.height, fps=p.fps, pixel_format=p.pixel_format, scene=p.scene
            )
            for p in plans
        ],
        post=post or PostConfig(),
    )
    (folder / "session.toml").write_text(config_to_toml(config), encoding="utf-8")
    return recorded


def record_axvs_folder(folder: Path, plans: list[CameraPlan], names: bool = True) -> dict[int, Recorded]:
    """A folder as ataraxis-video-system 5.x leaves it: ``{id:03d}.mp4`` plus DataLogger archives where
    the onset entry holds UTC µs and every frame is an empty entry stamped µs since that onset."""
    from ataraxis_data_structures import DataLogger, LogPackage, assemble_log_archives

    folder.mkdir(parents=True)
    recorded = {
        source_id: record_camera(folder, plan, f"{source_id:03d}.mp4", container="mp4")
        for source_id, plan in enumerate(plans, start=1)
    }
    logger = DataLogger(output_directory=folder, instance_name="cameras", thread_count=2, poll_interval=1)
    logger.start()
    empty = np.zeros(0, dtype=np.uint8)
    for source_id, truth in recorded.items():
        onset = np.frombuffer(np.uint64(truth.onset_utc_us).tobytes(), dtype=np.uint8).copy()
        logger.input_queue.put(LogPackage(np.uint8(source_id), np.uint64(0), onset))
        for time_us in truth.host_time_us:
            logger.input_queue.put(LogPackage(np.uint8(source_id), np.uint64(time_us), empty))
    logger.stop()
    log_dirs = [path for path in folder.iterdir() if path.is_dir() and path.name.endswith("_data_log")]
    assemble_log_archives(log_dirs[0], memory_mapping=False)
    if names:
        lines = ["sources:"] + [f"- id: {i}\n  name: {recorded[i].plan.name}" for i in recorded]
        (log_dirs[0] / "camera_manifest.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return recorded
