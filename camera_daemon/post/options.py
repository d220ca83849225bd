"""The post-stop settings one run uses, from the session's [post] section and command-line overrides."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from camera_daemon.config import PostConfig
from camera_daemon.post.crop import Crop, parse_camera_crops, parse_crop
from camera_daemon.post.dedupe import DedupeSettings
from camera_daemon.post.errors import PostOptionError
from camera_daemon.post.io.encode import CODECS
from camera_daemon.post.stitch.mosaic import Missing


class StitchMode(StrEnum):
    mosaic = "mosaic"
    best = "best"
    concat = "concat"


def _choice[E: StrEnum](kind: type[E], value: str, what: str) -> E:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise PostOptionError(f"{what} '{value}' is unknown; use one of {choices}") from None


@dataclass(frozen=True)
class PostOptions:
    """Everything one post-stop run needs; immutable so it can be shipped to a worker as is."""

    mode: StitchMode = StitchMode.mosaic
    reference: str = ""
    missing: Missing = Missing.black
    tolerance_ms: float = 0.0
    time_overlay: bool = True
    dedupe: bool = False
    dedupe_settings: DedupeSettings = field(default_factory=DedupeSettings)
    trim: str = ""
    crop: dict[str, Crop] = field(default_factory=dict)
    output_crop: Crop | None = None
    cameras: tuple[str, ...] = ()
    concat_with: tuple[Path, ...] = ()
    concat_gap_s: float = 0.0
    codec: str = "h264"
    crf: int = 18
    debug: bool = False
    progress: bool = True

    def __post_init__(self) -> None:
        if self.codec not in CODECS:
            raise PostOptionError(
                f"--codec / [post] codec '{self.codec}' is not supported for post outputs; "
                f"use one of {', '.join(CODECS)}"
            )

    @staticmethod
    def from_config(post: PostConfig, **overrides: Any) -> PostOptions:
        settings = DedupeSettings(
            hash_distance=post.dedupe_hash_distance,
            floor_fraction=post.dedupe_floor_fraction,
            max_diff=post.dedupe_max_diff,
        )
        options = PostOptions(
            mode=_choice(StitchMode, post.stitch, "[post] stitch"),
            reference=post.reference,
            missing=_choice(Missing, post.missing, "[post] missing"),
            tolerance_ms=post.tolerance_ms,
            time_overlay=post.time_overlay,
            dedupe=post.dedupe,
            dedupe_settings=settings,
            trim=post.trim,
            crop=parse_camera_crops(post.crop, "[post] crop"),
            output_crop=parse_crop(post.output_crop, "[post] output_crop") if post.output_crop else None,
            concat_gap_s=post.concat_gap_s,
            codec=post.codec,
            crf=post.crf,
            debug=post.debug,
        )
        return replace(options, **{key: value for key, value in overrides.items() if value is not None})

    @staticmethod
    def parse_mode(value: str) -> StitchMode:
        return _choice(StitchMode, value, "--mode")

    @staticmethod
    def parse_missing(value: str) -> Missing:
        return _choice(Missing, value, "--missing")
