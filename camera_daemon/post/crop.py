"""Crop rectangles: one per camera before stitching, one for the stitched output.

A rectangle is "X,Y,W,H" in pixels of the frame it applies to. It is checked against the frame's size
before anything is decoded, so a wrong rectangle costs one line on stderr, not a half-written video.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from camera_daemon.post.errors import PostOptionError

Frame = npt.NDArray[np.uint8] | npt.NDArray[np.uint16]


@dataclass(frozen=True)
class Crop:
    x: int
    y: int
    width: int
    height: int

    def check(self, width: int, height: int, what: str) -> None:
        if self.x + self.width > width or self.y + self.height > height:
            raise PostOptionError(
                f"{what} {self.x},{self.y},{self.width},{self.height} reaches past the {width}x{height} frame; "
                f"keep X+W <= {width} and Y+H <= {height}"
            )

    def apply(self, frame: Frame) -> Frame:
        return cast(Frame, np.ascontiguousarray(frame[self.y : self.y + self.height, self.x : self.x + self.width]))


def parse_crop(text: str, what: str) -> Crop:
    """'X,Y,W,H' with X, Y >= 0 and W, H > 0."""
    parts = text.replace(" ", "").split(",")
    try:
        x, y, width, height = (int(part) for part in parts)
    except ValueError:
        raise PostOptionError(f"{what} '{text}' is not X,Y,W,H in whole pixels, e.g. 0,0,320,240") from None
    if x < 0 or y < 0 or width <= 0 or height <= 0:
        raise PostOptionError(f"{what} '{text}': X and Y must be >= 0 and W and H > 0, e.g. 0,0,320,240")
    return Crop(x, y, width, height)


def parse_camera_crops(crops: dict[str, str], what: str) -> dict[str, Crop]:
    return {name: parse_crop(text, f"{what} for camera '{name}'") for name, text in crops.items()}


def parse_crop_options(values: list[str]) -> dict[str, Crop]:
    """--crop CAM=X,Y,W,H, repeated."""
    crops = {}
    for value in values:
        name, sep, rect = value.partition("=")
        if not sep or not name:
            raise PostOptionError(f"--crop '{value}' is not CAM=X,Y,W,H, e.g. --crop left=0,0,320,240")
        crops[name] = parse_crop(rect, f"--crop for camera '{name}'")
    return crops
