"""Session configuration: the TOML file a user writes, validated before any camera is touched.

Validation happens up front so that a typo costs a one-line message instead of a half-started
recording. Every model forbids unknown keys for the same reason: a misspelled option must not be
silently ignored while the recording runs with a default the user did not want.
"""

from __future__ import annotations

import math
import re
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Self

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
    # inf and nan pass a plain "ge=0" check yet make no sense as a duration, a rate or a threshold
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False, allow_inf_nan=False)


def _plain_text(value: str) -> str:
    """Paths and URLs go to OS calls and into session.toml: a NUL or a byte that is not UTF-8 can
    reach neither, and would otherwise fail only after recording started."""
    if "\x00" in value or any(0xD800 <= ord(char) <= 0xDFFF for char in value):
        raise ValueError("contains a NUL or a byte that is not UTF-8; write it as plain text")
    return value


MAX_JITTER_US = 1_000_000
# the synthetic camera draws its frame number into the top band (see cameras/framecode.py)
MIN_CODE_WIDTH = 32
MIN_CODE_HEIGHT = 16
FrameNumber = Annotated[int, Field(ge=0, lt=2**32)]
StampItem = Literal["utc", "frame", "fps", "ring"]


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
    jitter_us: int = Field(default=0, ge=0, le=MAX_JITTER_US)
    irregular: bool = False
    drop_frames: list[FrameNumber] = Field(default_factory=list)
    repeat_frames: list[FrameNumber] = Field(default_factory=list)
    scene: str = "texture"
    # synthetic only: scales every pixel (0.1 films a too-dark room), and the rate frames really come at
    # while ``fps`` stays the nominal one (0: the same): faults that quality control must catch
    brightness: float = Field(default=1.0, ge=0.0, le=1.0)
    true_fps: float = Field(default=0.0, ge=0.0, le=10000.0)
    # opencv only: play a file at its native rate instead of as fast as the encoder takes it
    realtime: bool = False
    # genicam only: node name -> value, applied in the connection that then acquires
    nodes: dict[str, Any] = Field(default_factory=dict)
    trigger: str = "free"
    fetch_timeout_s: float = Field(default=1.0, gt=0)
    reconnect_s: float = Field(default=10.0, ge=0)
    # online analysis (camera_daemon/analysis/): "package.module:function" or "path/file.py:function"
    analysis: str = ""
    analysis_every: int = Field(default=1, ge=1, le=1_000_000)
    analysis_args: dict[str, Any] = Field(default_factory=dict)
    analysis_csv: bool = False
    # drawn into the recorded pixels before encoding: off unless asked, since it alters the data
    stamp: list[StampItem] = Field(default_factory=list)

    @field_validator("analysis")
    @classmethod
    def _callback_reference(cls, value: str) -> str:
        """The form is checked here so a typo is exit 2 before recording; whether it imports is
        checked before the session folder exists (analysis/loader.py)."""
        value = _plain_text(value.strip())
        if not value:
            return value
        target, _, function = value.rpartition(":")
        if not target or not function.isidentifier():
            raise ValueError(
                f"'{value}' is not 'package.module:function' or 'path/to/file.py:function'; "
                "name the function after a colon"
            )
        return value

    @field_validator("pixel_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        return value.strip()

    @field_validator("source")
    @classmethod
    def _writable_source(cls, value: str) -> str:
        """The source is written into session.toml and handed to a device or OS call: a NUL or a
        byte that is not UTF-8 can be neither, and would fail only after recording started."""
        return _plain_text(value)

    @field_validator("nodes")
    @classmethod
    def _scalar_nodes(cls, value: dict[str, Any]) -> dict[str, Any]:
        """A GenICam feature takes one number, boolean or text, and integer features are 64-bit:
        anything else could only fail inside the device, after recording started."""
        for key, item in value.items():
            if not isinstance(item, int | float | str):
                raise ValueError(f"node '{key}' must be a number, true/false or text, not a {type(item).__name__}")
            if isinstance(item, int) and not isinstance(item, bool) and not -(2**63) <= item < 2**63:
                raise ValueError(f"node '{key}' = {item} does not fit a 64-bit GenICam integer")
            if isinstance(item, float) and not math.isfinite(item):
                raise ValueError(f"node '{key}' = {item} is not a finite number")
            if isinstance(item, str):
                _plain_text(item)
        return value

    @model_validator(mode="after")
    def _backend_rules(self) -> Self:
        if self.backend is Backend.synthetic and self.pixel_format not in SYNTHETIC_FORMATS:
            raise ValueError(
                f"pixel_format '{self.pixel_format}' is not one the synthetic camera makes; "
                f"use one of {', '.join(SYNTHETIC_FORMATS)}"
            )
        if self.backend is Backend.opencv and not self.source:
            raise ValueError("an opencv camera needs a source: a device index, a file, a URL or an image pattern")
        if self.backend is Backend.synthetic and (self.width < MIN_CODE_WIDTH or self.height < MIN_CODE_HEIGHT):
            raise ValueError(
                f"a {self.width}x{self.height} synthetic frame is too small for its frame code; "
                f"use width >= {MIN_CODE_WIDTH} and height >= {MIN_CODE_HEIGHT}"
            )
        if self.backend is Backend.synthetic and self.scene not in ("texture", "slow", "flat", "noise", "white"):
            raise ValueError(f"scene '{self.scene}' is unknown; use texture, slow, flat, noise or white")
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


_SESSION_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,100}")


def session_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a folder directly inside the output folder, or None when it can.

    The name is joined to the output folder, so anything that walks out of it (``..``, a
    separator) or that a shell or ffmpeg would read as an option (a leading ``-``) is refused.
    """
    if name == "":
        return None  # the default: the UTC start time
    if not name.strip():
        return "it is blank"
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return "it holds a NUL or control character"
    if "/" in name or "\\" in name:
        return "it holds a path separator ('/' or '\\'); it is one folder name, not a path"
    if name in (".", ".."):
        return "'.' and '..' name the output folder itself or its parent"
    if name.startswith("-"):
        return "it starts with '-', which reads as an option"
    if not _SESSION_NAME.fullmatch(name):
        return "use 1-100 letters, digits, '_', '.', ':' or '-'"
    return None


def describe_session_name_problem(name: str, problem: str) -> str:
    return f"--session / session.name {name!r} is refused: {problem}"


class DiskConfig(_Strict):
    """Free space is checked on every poll: a recording that ends early but final beats one cut off
    by ENOSPC. The reserve is held from start to finalize so tables and manifest always fit."""

    min_free_megabytes: int = Field(default=500, ge=0)  # 0: no guard, record until ENOSPC
    reserve_megabytes: int = Field(default=64, ge=0)


class PreviewConfig(_Strict):
    """The live page and HTTP API (web/). Loopback by default: any other address needs a token, and
    the token is never written into the session folder (config_to_toml leaves it out)."""

    enabled: bool = True
    port: int = Field(default=8421, ge=1, le=65535)  # the first free port from here on is used
    bind: str = "127.0.0.1"
    rate: float = Field(default=10.0, gt=0.0, le=60.0)  # tile refreshes per second
    width: int = Field(default=320, ge=16, le=4096)  # pixels across a tile, never above the camera's
    token: str = ""


class SessionSection(_Strict):
    name: str = ""
    output: Path = Path("recordings")

    @field_validator("output", mode="before")
    @classmethod
    def _plain_output(cls, value: Any) -> Any:
        return _plain_text(value) if isinstance(value, str) else value

    duration_s: float = Field(default=0.0, ge=0.0)

    @field_validator("name")
    @classmethod
    def _plain_folder_name(cls, name: str) -> str:
        problem = session_name_problem(name)
        if problem is not None:
            raise ValueError(describe_session_name_problem(name, problem))
        return name


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
    dedupe_hash_distance: int = Field(default=10, ge=0, le=64)
    # a repeat differs from the last kept frame by less than this share of the recording's noise floor
    # (the median difference between consecutive frames); dedupe_max_diff > 0 (grey levels) replaces it.
    # Unset: chosen from the recording's codec (see camera_daemon/post/dedupe.py)
    dedupe_floor_fraction: float | None = Field(default=None, gt=0.0, le=1.0)
    dedupe_max_diff: float = Field(default=0.0, ge=0.0)
    # superseded by the noise floor; still accepted so session files written before load unchanged
    dedupe_check: str = "mad"
    dedupe_max_block_diff: float = Field(default=3.0, ge=0.0)
    dedupe_min_block_ssim: float = Field(default=0.98, ge=-1.0, le=1.0)
    # per camera "X,Y,W,H" applied before stitching, and one for the stitched output
    crop: dict[str, str] = Field(default_factory=dict)
    output_crop: str = ""
    # concat: a pause longer than this starts a new segment; 0 means ten frame intervals
    concat_gap_s: float = Field(default=0.0, ge=0.0)
    codec: str = "h264"
    crf: int = Field(default=18, ge=0, le=51)
    debug: bool = False


class QcConfig(_Strict):
    """Quality-control thresholds; each default and its published source is listed in camera_daemon/qc/thresholds.py."""

    frame_count_warn_below: int = Field(default=5, ge=0)
    max_gap_fraction: float = Field(default=0.001, ge=0.0, le=1.0)
    rate_tolerance_hz: float = Field(default=1.0, ge=0.0)
    rate_tolerance_fraction: float = Field(default=0.01, ge=0.0, le=1.0)
    interval_tolerance_ms: float = Field(default=10.0, ge=0.0)
    device_clock_tolerance_ms: float = Field(default=0.5, ge=0.0)
    max_start_spread_ms: float = Field(default=1000.0, ge=0.0)
    brightness_min: float = Field(default=40.0, ge=0.0, le=255.0)
    brightness_max: float = Field(default=200.0, ge=0.0, le=255.0)
    brightness_min_share: float = Field(default=0.75, ge=0.0, le=1.0)
    brightness_samples: int = Field(default=20, ge=1, le=10000)


class NwbConfig(_Strict):
    """Metadata of an NWB export; empty fields get defaults drawn from the session itself."""

    session_description: str = ""
    identifier: str = ""
    experimenter: list[str] = Field(default_factory=list)
    institution: str = ""
    lab: str = ""
    # the animal: NWB readers (and nwbinspector, as CRITICAL) expect a subject with species and age
    subject_id: str = ""
    species: str = ""  # latin binomial, e.g. "Mus musculus"
    sex: str = "U"  # M, F, U or O
    age: str = ""  # ISO 8601 duration, e.g. "P90D"


class SessionConfig(_Strict):
    session: SessionSection = Field(default_factory=SessionSection)
    encoder: EncoderConfig = Field(default_factory=EncoderConfig)
    buffer: BufferConfig = Field(default_factory=BufferConfig)
    post: PostConfig = Field(default_factory=PostConfig)
    disk: DiskConfig = Field(default_factory=DiskConfig)
    preview: PreviewConfig = Field(default_factory=PreviewConfig)
    qc: QcConfig = Field(default_factory=QcConfig)
    nwb: NwbConfig = Field(default_factory=NwbConfig)
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
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder; pass the path of a session TOML file") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {error.start}); save the file as UTF-8, as TOML requires"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error}); fix the syntax at that line") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to read; a session file needs only a few levels") from None
    return parse_config(data, origin=str(path))
