"""Compose one grid frame from one frame per camera, each tile at its native size and unscaled.

Tiles are never resized, so the pixels in a tile are the camera's pixels (a test can decode the frame
code in the tile's top band). The camera name sits in a strip over the bottom rows of its tile, where
nothing machine-read lives, so the mosaic is no larger than the cameras side by side (encoding cost
is per pixel); the strip's look says whether the tile is live, held from an earlier frame, or
missing, and the widest tile's strip also carries the UTC time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt

from camera_daemon.post.io.decode import FULL_TO_LIMITED, Frame

Canvas = npt.NDArray[np.uint8]
LABEL_HEIGHT = 18


class Missing(StrEnum):
    """What a tile shows at a tick where its camera has no frame within tolerance."""

    black = "black"
    hold = "hold"


class TileState(StrEnum):
    live = "live"
    held = "held"
    missing = "missing"


# strip fill per state; gray canvases use the first value, colour canvases the BGR triple
_STRIP_FILL: dict[TileState, tuple[int, tuple[int, int, int]]] = {
    TileState.live: (0, (0, 0, 0)),
    TileState.held: (128, (0, 160, 220)),
    TileState.missing: (255, (0, 0, 255)),
}


@dataclass(frozen=True)
class Tile:
    name: str
    width: int
    height: int
    top: int
    left: int

    @property
    def label_top(self) -> int:
        return self.top + max(self.height - LABEL_HEIGHT, 0)


@dataclass(frozen=True)
class MosaicLayout:
    """Where each camera's tile goes; cells share the largest camera's size."""

    tiles: tuple[Tile, ...]
    width: int
    height: int
    colour: bool
    time_overlay: bool

    @staticmethod
    def plan(
        cameras: list[tuple[str, int, int]], colour: bool, time_overlay: bool = True, columns: int = 0
    ) -> MosaicLayout:
        count = len(cameras)
        columns = columns or math.ceil(math.sqrt(count))
        rows = math.ceil(count / columns)
        cell_width = max(width for _, width, _ in cameras)
        cell_height = max(height for _, _, height in cameras)
        tiles = tuple(
            Tile(name, width, height, (index // columns) * cell_height, (index % columns) * cell_width)
            for index, (name, width, height) in enumerate(cameras)
        )
        return MosaicLayout(tiles, _even(columns * cell_width), _even(rows * cell_height), colour, time_overlay)

    @property
    def clock_tile(self) -> int:
        """The tile whose strip shows the time: the widest, so the text fits."""
        return max(range(len(self.tiles)), key=lambda index: self.tiles[index].width)

    def blank(self) -> Canvas:
        shape = (self.height, self.width, 3) if self.colour else (self.height, self.width)
        return np.zeros(shape, dtype=np.uint8)

    def without_labels(self, canvas: Canvas) -> Canvas:
        """A copy with every label strip blanked: what dedupe compares, since the clock always changes."""
        bare = canvas.copy()
        for tile in self.tiles:
            bare[tile.label_top : tile.top + tile.height, tile.left : tile.left + tile.width] = 0
        return bare


def _even(value: int) -> int:
    return value + (value % 2)


def as_canvas_pixels(frame: Frame, colour: bool) -> Canvas:
    """Bring any camera layout to the canvas layout: mono16 keeps its top 8 bits, mono becomes gray BGR."""
    pixels = (frame >> 8).astype(np.uint8) if frame.dtype == np.uint16 else frame
    if colour and pixels.ndim == 2:
        return cast(Canvas, cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR))
    if not colour and pixels.ndim == 3:
        return cast(Canvas, cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY))
    return pixels  # type: ignore[return-value]


class MosaicComposer:
    """Keeps one canvas and the pre-drawn label strips, so a frame costs the tile copies and one clock."""

    def __init__(self, layout: MosaicLayout, studio: bool = False) -> None:
        self.layout = layout
        self._level = FULL_TO_LIMITED if studio else np.arange(256, dtype=np.uint8)
        self.canvas = layout.blank()
        self._strips = {
            (tile.name, state): self._draw_strip(tile, state) for tile in layout.tiles for state in TileState
        }

    def _draw_strip(self, tile: Tile, state: TileState) -> Canvas:
        gray_fill, colour_fill = _STRIP_FILL[state]
        rows = min(LABEL_HEIGHT, tile.height)
        shape = (rows, tile.width, 3) if self.layout.colour else (rows, tile.width)
        strip = np.empty(shape, dtype=np.uint8)
        strip[...] = colour_fill if self.layout.colour else int(self._level[gray_fill])
        ink = int(self._level[0 if (not self.layout.colour and gray_fill > 100) else 255])
        text = tile.name if state is TileState.live else f"{tile.name} [{state.value}]"
        cv2.putText(strip, text, (4, rows - 5), _FONT, _SCALE, _ink(ink, self.layout.colour), 1)
        return strip

    def compose(self, frames: list[Frame | None], states: list[TileState], time_text: str = "") -> Canvas:
        canvas = self.canvas
        for tile, frame, state in zip(self.layout.tiles, frames, states, strict=True):
            region = canvas[tile.top : tile.top + tile.height, tile.left : tile.left + tile.width]
            if frame is None:
                region[...] = self._level[0]
            else:
                region[...] = as_canvas_pixels(frame, self.layout.colour)
            region[tile.label_top - tile.top :] = self._strips[(tile.name, state)]
        if self.layout.time_overlay and time_text:
            tile = self.layout.tiles[self.layout.clock_tile]
            strip = canvas[tile.label_top : tile.top + tile.height, tile.left : tile.left + tile.width]
            (text_width, _), _ = cv2.getTextSize(time_text, _FONT, _SCALE, 1)
            origin = (max(tile.width - text_width - 4, tile.width // 3), strip.shape[0] - 5)
            cv2.putText(strip, time_text, origin, _FONT, _SCALE, _ink(int(self._level[255]), self.layout.colour), 1)
        return canvas


_FONT = cv2.FONT_HERSHEY_SIMPLEX
_SCALE = 0.42


def _ink(level: int, colour: bool) -> tuple[int, int, int] | int:
    return (level, level, level) if colour else level


def tile_region(canvas: Canvas, tile: Tile) -> Canvas:
    """The tile's picture rows above its label strip."""
    return canvas[tile.top : tile.label_top, tile.left : tile.left + tile.width]


def label_region(canvas: Canvas, tile: Tile) -> Canvas:
    return canvas[tile.label_top : tile.top + tile.height, tile.left : tile.left + tile.width]
