"""Read a recorded session into per-camera tracks: where the video is and when each of its frames was taken.

Everything after this module works on ``CameraTrack`` alone, so a folder from another recorder only
needs its own loader (see ``axvs_io``, and ``load`` which picks one) to go through the same align, stitch
and dedupe steps.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv

from camera_daemon.config import PostConfig, SessionConfig
from camera_daemon.post.crop import Crop
from camera_daemon.post.errors import PostError, PostOptionError
from camera_daemon.timing.arrow_columns import column_array

IntArray = npt.NDArray[np.int64]
TIMESTAMP_COLUMNS = ("frame_index", "camera_frame_id", "host_time_us", "utc_time_us", "device_time_ns")
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class CameraTrack:
    """One camera's video and its per-frame times; row i of the arrays is frame i of the video."""

    name: str
    video: Path
    width: int
    height: int
    pixel_format: str
    nominal_fps: float
    onset_utc_us: int
    camera_frame_id: IntArray
    host_time_us: IntArray
    device_time_ns: IntArray
    frames_in_video: int = -1
    crop: Crop | None = None  # applied to every decoded frame; width and height are the cropped size

    def cropped(self, crop: Crop) -> CameraTrack:
        crop.check(self.width, self.height, f"crop for camera '{self.name}'")
        return replace(self, width=crop.width, height=crop.height, crop=crop)

    @property
    def utc_time_us(self) -> IntArray:
        return self.host_time_us + self.onset_utc_us

    @property
    def frame_count(self) -> int:
        return int(self.host_time_us.size)

    @property
    def colour(self) -> bool:
        return self.pixel_format == "bgr8"


@dataclass(frozen=True)
class SessionTracks:
    """All cameras of one session folder, in manifest order, plus the post settings it was recorded with."""

    name: str
    folder: Path
    cameras: tuple[CameraTrack, ...]
    post: PostConfig = field(default_factory=PostConfig)
    warnings: tuple[str, ...] = ()

    def camera(self, name: str) -> CameraTrack:
        for track in self.cameras:
            if track.name == name:
                return track
        known = ", ".join(track.name for track in self.cameras)
        raise PostOptionError(f"{self.folder}: no camera named '{name}' (see --camera, --crop); it has {known}")

    @property
    def post_dir(self) -> Path:
        return self.folder / "post"


def read_timestamp_table(path: Path) -> dict[str, IntArray]:
    """Parse a ``<camera>.timestamps.csv``; pyarrow keeps this fast for hour-long tables."""
    try:
        table = pacsv.read_csv(path)
    except FileNotFoundError:
        raise PostError(f"{path}: timestamp table missing; the session folder is incomplete") from None
    except pa.ArrowInvalid as error:
        raise PostError(f"{path}: not a readable timestamp table ({error})") from None
    missing = [name for name in TIMESTAMP_COLUMNS if name not in table.column_names]
    if missing:
        raise PostError(f"{path}: column(s) {', '.join(missing)} missing; expected {', '.join(TIMESTAMP_COLUMNS)}")
    return {name: column_array(table, name, np.int64) for name in TIMESTAMP_COLUMNS}


def write_timestamp_table(path: Path, columns: dict[str, IntArray]) -> None:
    """Write a table in the recorder's own layout, so an output can itself be read back as a session."""
    pacsv.write_csv(
        pa.table({name: pa.array(np.asarray(values, dtype=np.int64)) for name, values in columns.items()}), path
    )


def _post_config(folder: Path) -> PostConfig:
    path = folder / "session.toml"
    if not path.exists():
        return PostConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return SessionConfig.model_validate(data).post
    except (tomllib.TOMLDecodeError, ValueError) as error:
        raise PostError(f"{path}: cannot read its [post] section ({error})") from None


def _camera_from_manifest(folder: Path, name: str, entry: dict[str, object]) -> CameraTrack:
    def number(key: str, default: float | None = None) -> float:
        value = entry.get(key, default)
        if not isinstance(value, int | float):
            raise PostError(f"{folder / MANIFEST_NAME}: camera '{name}' has no numeric '{key}'")
        return float(value)

    video = folder / str(entry.get("video", f"{name}.mkv"))
    if not video.exists():
        raise PostError(f"{video}: video of camera '{name}' is missing; the session folder is incomplete")
    table = read_timestamp_table(folder / str(entry.get("timestamps", f"{name}.timestamps.csv")))
    order = table["frame_index"]
    if order.size and not np.array_equal(order, np.arange(order.size)):
        raise PostError(f"{folder}: {name}.timestamps.csv frame_index is not 0..N-1; the table is damaged")
    return CameraTrack(
        name=name,
        video=video,
        width=int(number("width")),
        height=int(number("height")),
        pixel_format=str(entry.get("pixel_format", "mono8")),
        nominal_fps=number("nominal_fps", 0.0),
        onset_utc_us=int(number("onset_utc_us")),
        camera_frame_id=table["camera_frame_id"],
        host_time_us=table["host_time_us"],
        device_time_ns=table["device_time_ns"],
        frames_in_video=int(number("frames_in_video", -1)),
    )


def load_camd_session(folder: Path) -> SessionTracks:
    path = folder / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PostError(f"{path}: not valid JSON ({error}); the recording did not finish writing it") from None
    cameras = manifest.get("cameras")
    if not isinstance(cameras, dict) or not cameras:
        raise PostError(f"{path}: lists no cameras; nothing to stitch")
    skipped = [
        name
        for name, entry in cameras.items()
        if entry.get("onset_utc_us") is None or entry.get("frames_in_video") == 0
    ]
    tracks = tuple(_camera_from_manifest(folder, name, entry) for name, entry in cameras.items() if name not in skipped)
    if not tracks:
        raise PostError(f"{path}: no camera recorded a frame; nothing to stitch")
    warnings = tuple(f"{name}: recorded no frames, left out" for name in skipped) + tuple(
        f"{track.name}: manifest says {track.frames_in_video} frames in the video, the table has {track.frame_count}"
        for track in tracks
        if track.frames_in_video >= 0 and track.frames_in_video != track.frame_count
    )
    return SessionTracks(
        name=str(manifest.get("session", folder.name)),
        folder=folder,
        cameras=tracks,
        post=_post_config(folder),
        warnings=warnings,
    )
