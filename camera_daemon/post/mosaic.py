"""Compose one grid frame from one frame per camera, each tile at its native size and unscaled.

Tiles are never resized, so the pixels in a tile are the camera's pixels (a test can decode the frame
code in the tile's top band). The camera name sits in a strip under each tile rather than over it,
and the strip's look says whether the tile is live, held from an earlier frame, or missing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
import numpy.typing as npt

from camera_daemon.post.decode import Frame

Canvas = npt.NDArray[np.uint8]
LABEL_HEIGHT = 20
TIME_HEIGHT = 20


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


@dataclass(frozen=True)
class MosaicLayout:
    """Where each camera's tile and label strip go; cells share the largest camera's size."""

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
        cell_height = max(height for _, _, height in cameras) + LABEL_HEIGHT
        tiles = tuple(
            Tile(name, width, height, (index // columns) * cell_height, (index % columns) * cell_width)
            for index, (name, width, height) in enumerate(cameras)
        )
        total_height = rows * cell_height + (TIME_HEIGHT if time_overlay else 0)
        return MosaicLayout(tiles, _even(columns * cell_width), _even(total_height), colour, time_overlay)

    def blank(self) -> Canvas:
        shape = (self.height, self.width, 3) if self.colour else (self.height, self.width)
        return np.zeros(shape, dtype=np.uint8)


def _even(value: int) -> int:
    return value + (value % 2)


def as_canvas_pixels(frame: Frame, colour: bool) -> Canvas:
    """Bring any camera layout to the canvas layout: mono16 keeps its top 8 bits, mono becomes gray BGR."""
    pixels = (frame >> 8).astype(np.uint8) if frame.dtype == np.uint16 else frame
    if colour and pixels.ndim == 2:
        return cv2.cvtColor(pixels, cv2.COLOR_GRAY2BGR)  # type: ignore[no-any-return]
    if not colour and pixels.ndim == 3:
        return cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)  # type: ignore[no-any-return]
    return pixels  # type: ignore[return-value]


class MosaicComposer:
    """Keeps one canvas and the pre-drawn label strips, so a frame costs only the tile copies."""

    def __init__(self, layout: MosaicLayout) -> None:
        self.layout = layout
        self.canvas = layout.blank()
        self._strips = {(tile.name, state): self._draw_strip(tile, state) for tile in layout.tiles for state in TileState}
        self._drawn: dict[str, TileState | None] = {tile.name: None for tile in layout.tiles}

    def _draw_strip(self, tile: Tile, state: TileState) -> Canvas:
        gray_fill, colour_fill = _STRIP_FILL[state]
        shape = (LABEL_HEIGHT, tile.width, 3) if self.layout.colour else (LABEL_HEIGHT, tile.width)
        strip = np.empty(shape, dtype=np.uint8)
        strip[...] = colour_fill if self.layout.colour else gray_fill
        ink = 0 if (not self.layout.colour and gray_fill > 100) else 255
        text = tile.name if state is TileState.live else f"{tile.name} [{state.value}]"
        cv2.putText(strip, text, (4, LABEL_HEIGHT - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.45, _ink(ink, self.layout.colour), 1)
        return strip

    def compose(self, frames: list[Frame | None], states: list[TileState], time_text: str = "") -> Canvas:
        canvas = self.canvas
        for tile, frame, state in zip(self.layout.tiles, frames, states, strict=True):
            region = canvas[tile.top : tile.top + tile.height, tile.left : tile.left + tile.width]
            if frame is None:
                region[...] = 0
            else:
                region[...] = as_canvas_pixels(frame, self.layout.colour)
            if self._drawn[tile.name] is not state:
                label_top = tile.top + tile.height
                canvas[label_top : label_top + LABEL_HEIGHT, tile.left : tile.left + tile.width] = self._strips[
                    (tile.name, state)
                ]
                self._drawn[tile.name] = state
        if self.layout.time_overlay:
            band = canvas[self.layout.height - TIME_HEIGHT :]
            band[...] = 0
            cv2.putText(band, time_text, (4, TIME_HEIGHT - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.45, _ink(255, self.layout.colour), 1)
        return canvas


def _ink(level: int, colour: bool) -> tuple[int, int, int] | int:
    return (level, level, level) if colour else level


def tile_region(canvas: Canvas, tile: Tile) -> Canvas:
    return canvas[tile.top : tile.top + tile.height, tile.left : tile.left + tile.width]


def label_region(canvas: Canvas, tile: Tile) -> Canvas:
    top = tile.top + tile.height
    return canvas[top : top + LABEL_HEIGHT, tile.left : tile.left + tile.width]
