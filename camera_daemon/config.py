"""Session configuration: the TOML file a user writes, validated before any camera is touched.

Validation happens up front so that a typo costs a one-line message instead of a half-started
recording. Every model forbids unknown keys for the same reason: a misspelled option must not be
silently ignored while the recording runs with a default the user did not want.
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from camera_daemon.errors import ConfigError


class Backend(StrEnum):
    synthetic = "synthetic"
    opencv = "opencv"
    genicam = "genicam"


class Codec(StrEnum):
    h264 = "h264"
    hevc = "hevc"
    av1 = "av1"
    ffv1 = "ffv1"
    mjpeg = "mjpeg"


class Hardware(StrEnum):
    cpu = "cpu"
    nvenc = "nvenc"
    vaapi = "vaapi"
    qsv = "qsv"


class SpeedPreset(StrEnum):
    ultrafast = "ultrafast"
    superfast = "superfast"
    veryfast = "veryfast"
    faster = "faster"
    fast = "fast"
    medium = "medium"
    slow = "slow"
    slower = "slower"
    veryslow = "veryslow"


class Container(StrEnum):
    mkv = "mkv"
    mp4 = "mp4"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class CameraConfig(_Strict):
    """One camera. Backend-specific fields are ignored by the other backends but still type-checked."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
    backend: Backend = Backend.synthetic
    source: str = ""
    width: int = Field(default=640, ge=8, le=16384)
    height: int = Field(default=480, ge=8, le=16384)
    fps: float = Field(default=30.0, ge=0.0, le=10000.0)
    pixel_format: str = "mono8"
    # synthetic only
    jitter_us: int = Field(default=0, ge=0)
    irregular: bool = False
    drop_frames: list[int] = Field(default_factory=list)
    repeat_frames: list[int] = Field(default_factory=list)
    scene: str = "texture"
    # opencv only: play a file at its native rate instead of as fast as the encoder takes it
    realtime: bool = False
    # genicam only: node name -> value, applied in the connection that then acquires
    nodes: dict[str, Any] = Field(default_factory=dict)
    trigger: str = "free"
    fetch_timeout_s: float = Field(default=1.0, gt=0)
    reconnect_s: float = Field(default=10.0, ge=0)

    @field_validator("pixel_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _backend_rules(self) -> Self:
        if self.backend is Backend.synthetic and self.pixel_format not in SYNTHETIC_FORMATS:
            raise ValueError(
                f"pixel_format '{self.pixel_format}' is not one the synthetic camera makes; "
                f"use one of {', '.join(SYNTHETIC_FORMATS)}"
            )
        if self.backend is Backend.opencv and not self.source:
            raise ValueError("an opencv camera needs a source: a device index, a file, a URL or an image pattern")
        if self.backend is Backend.synthetic and self.scene not in ("texture", "slow", "flat", "noise"):
            raise ValueError(f"scene '{self.scene}' is unknown; use texture, slow, flat or noise")
        return self


SYNTHETIC_FORMATS = ("mono8", "mono16", "bgr8")


class EncoderConfig(_Strict):
    codec: Codec = Codec.h264
    hardware: Hardware = Hardware.cpu
    preset: SpeedPreset = SpeedPreset.ultrafast
    crf: int | None = Field(default=None, ge=0, le=63)
    qp: int | None = Field(default=None, ge=0, le=63)
    container: Container = Container.mkv
    keyframe_interval_s: float = Field(default=1.0, gt=0, le=60)
    threads: int = Field(default=0, ge=0, le=64)

    @model_validator(mode="after")
    def _one_quality(self) -> Self:
        if self.crf is not None and self.qp is not None:
            raise ValueError("set crf or qp, not both")
        if self.codec is Codec.ffv1 and self.hardware is not Hardware.cpu:
            raise ValueError("ffv1 has only a cpu encoder; set hardware = 'cpu'")
        if self.codec is Codec.mjpeg and self.hardware is Hardware.nvenc:
            raise ValueError("nvenc has no mjpeg encoder; set hardware = 'cpu'")
        return self


class BufferConfig(_Strict):
    """The per-camera ring between grabbing and encoding: it absorbs encoder hiccups, never grows."""

    seconds: float = Field(default=2.0, gt=0, le=60)
    max_megabytes: int = Field(default=256, ge=1, le=16384)


class DiskConfig(_Strict):
    """Free space is checked on every poll: a recording that ends early but final beats one cut off
    by ENOSPC. The reserve is held from start to finalize so tables and manifest always fit."""

    min_free_megabytes: int = Field(default=500, ge=0)  # 0: no guard, record until ENOSPC
    reserve_megabytes: int = Field(default=64, ge=0)


class SessionSection(_Strict):
    name: str = Field(default="", pattern=r"^[A-Za-z0-9_.:-]{0,100}$")
    output: Path = Path("recordings")
    duration_s: float = Field(default=0.0, ge=0.0)


class PostConfig(_Strict):
    enabled: bool = False
    stitch: str = "mosaic"
    reference: str = ""
    missing: str = "black"
    dedupe: bool = False
    # tolerance for matching a frame to a reference tick; 0 means half the reference frame interval
    tolerance_ms: float = Field(default=0.0, ge=0.0)
    time_overlay: bool = True
    # "start:stop" in output frames, "1.5s:4s" in seconds, or "utc:START:STOP" in UTC µs; empty keeps all
    trim: str = ""
    dedupe_check: str = "mad"
    dedupe_hash_distance: int = Field(default=10, ge=0, le=64)
    dedupe_max_block_diff: float = Field(default=3.0, ge=0.0)
    dedupe_min_block_ssim: float = Field(default=0.98, ge=-1.0, le=1.0)
    # concat: a pause longer than this starts a new segment; 0 means ten frame intervals
    concat_gap_s: float = Field(default=0.0, ge=0.0)
    codec: str = "h264"
    crf: int = Field(default=18, ge=0, le=51)
    debug: bool = False


class SessionConfig(_Strict):
    session: SessionSection = Field(default_factory=SessionSection)
    encoder: EncoderConfig = Field(default_factory=EncoderConfig)
    buffer: BufferConfig = Field(default_factory=BufferConfig)
    post: PostConfig = Field(default_factory=PostConfig)
    disk: DiskConfig = Field(default_factory=DiskConfig)
    cameras: list[CameraConfig] = Field(min_length=1, max_length=64)

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        names = [camera.name for camera in self.cameras]
        duplicate = next((name for name in names if names.count(name) > 1), None)
        if duplicate is not None:
            raise ValueError(f"camera name '{duplicate}' is used twice; give every camera its own name")
        return self


def describe_validation_error(error: ValidationError, origin: str) -> str:
    """One line naming the first bad field, because a wall of pydantic text hides the one fix needed."""
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"].removeprefix("Value error, ")
    more = len(error.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{origin}: field '{location}': {message}{suffix}"


def parse_config(data: dict[str, Any], origin: str = "config") -> SessionConfig:
    try:
        return SessionConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error, origin)) from None


def load_config(path: Path) -> SessionConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file; pass the path of a session TOML file") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error}); fix the syntax at that line") from None
    return parse_config(data, origin=str(path))


def config_to_toml(config: SessionConfig) -> str:
    """The exact config that ran, written back so a session folder documents itself."""
    return _dump_toml(config.model_dump(mode="json", exclude_defaults=False))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{key}" = {_toml_value(item)}' for key, item in value.items()) + " }"
    if value is None:
        raise TypeError("None cannot be written to TOML")
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _dump_toml(data: dict[str, Any]) -> str:
    lines: list[str] = []
    for section, body in data.items():
        if isinstance(body, list):
            for item in body:
                lines.append(f"[[{section}]]")
                lines.extend(f"{key} = {_toml_value(value)}" for key, value in item.items() if value is not None)
                lines.append("")
        else:
            lines.append(f"[{section}]")
            lines.extend(f"{key} = {_toml_value(value)}" for key, value in body.items() if value is not None)
            lines.append("")
    return "\n".join(lines)
