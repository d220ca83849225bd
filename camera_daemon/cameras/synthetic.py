"""The built-in camera: a deterministic generator for demos, tests and benchmarks.

Frames come on an exact schedule computed from one monotonic start time (frame k is due at
start + k/fps), so sleeping late never accumulates into drift. Every frame carries its content
number in the pixels (see framecode), and ``render`` is a pure function of that number, so a test
can regenerate any frame and compare decoded pixels exactly.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np

from camera_daemon.cameras.base import EndOfStream, FrameGeometry, FrameInfo, PixelFormat
from camera_daemon.cameras.framecode import draw_counter
from camera_daemon.config import CameraConfig

_SHIFT_PERIOD = 256
_SPIN_S = 0.0003
# Sensor-like noise: a bank of pre-drawn noise fields, picked and offset per frame, so a frame costs
# one slice and one add instead of a fresh random draw (~30 ms at 1280x1024).
_NOISE_BANK = 8
_NOISE_ROWS = 61
_NOISE_LEVELS = 10  # noise is the sum of two uniform draws in [0, levels): sigma ~4 DN, like a gained-up sensor
_NOISE_SPAN = 2 * _NOISE_LEVELS - 1  # noise values lie in [0, span): the scene stays below max - span


class SceneRenderer:
    """Draws the picture for a content number; shared by the camera and by tests that verify pixels."""

    def __init__(self, geometry: FrameGeometry, scene: str = "texture", seed: int = 7, brightness: float = 1.0) -> None:
        self.geometry = geometry
        self.scene = scene
        rng = np.random.default_rng(seed)
        shape = geometry.pixel_format.shape(geometry.width + _SHIFT_PERIOD, geometry.height)
        dtype = geometry.pixel_format.dtype
        top = np.iinfo(dtype).max
        if scene == "texture":
            coarse = rng.integers(0, top, size=(shape[0] // 8 + 1, shape[1] // 8 + 1, *shape[2:]), dtype=dtype)
            self._texture = np.repeat(np.repeat(coarse, 8, axis=0), 8, axis=1)[: shape[0], : shape[1]].copy()
        elif scene == "white":  # every pixel independent: no codec can shrink it, so disks fill fast
            self._texture = rng.integers(0, top, size=shape, dtype=dtype, endpoint=True)
        elif scene == "noise":  # a moving scene under sensor noise: what a real camera gives x264
            self._texture, self._noise = _noisy_scene(rng, shape, dtype)
        elif scene == "slow":
            y, x = np.mgrid[0 : shape[0], 0 : shape[1]]
            wave = (np.sin(x / 37.0) + np.cos(y / 23.0)) * 0.25 + 0.5
            plane = (wave * top * 0.8).astype(dtype)
            self._texture = np.repeat(plane[..., None], 3, axis=2) if len(shape) == 3 else plane
        else:
            self._texture = np.full(shape, top // 2, dtype=dtype)
        if brightness != 1.0:  # scaled once here, so a dim camera costs nothing per frame
            self._texture = (self._texture * brightness).astype(dtype)

    def render(self, content: int, out: np.ndarray) -> None:  # type: ignore[type-arg]
        """Fill ``out`` with frame ``content``: the texture moves one pixel a frame (slow scene: every 8th)."""
        step = content // 8 if self.scene == "slow" else content
        offset = step % _SHIFT_PERIOD
        out[...] = self._texture[:, offset : offset + self.geometry.width]
        if self.scene == "noise":
            rows = (content * 17) % _NOISE_ROWS
            field = self._noise[content % _NOISE_BANK, rows : rows + self.geometry.height, : self.geometry.width]
            np.add(out, field, out=out)
        draw_counter(out, content)


def _noisy_scene(rng: np.random.Generator, shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    """Smooth shapes and fine detail at moderate contrast, plus a bank of Gaussian noise fields.

    The scene alone compresses almost to nothing and pure noise not at all; a real sensor sits in
    between, and it is the noise that sets x264's bitrate there.
    """
    y, x = np.ogrid[0 : shape[0], 0 : shape[1]]
    y, x = y.astype(np.float32), x.astype(np.float32)
    wave = (np.sin(x / 53.0) * np.cos(y / 41.0) + np.sin((x + y) / 97.0)) * 0.25 + 0.5
    coarse = rng.random((shape[0] // 16 + 1, shape[1] // 16 + 1), dtype=np.float32)
    blocks = np.repeat(np.repeat(coarse, 16, axis=0), 16, axis=1)[: shape[0], : shape[1]]
    plane = ((0.7 * wave + 0.3 * blocks) * (np.iinfo(dtype).max - _NOISE_SPAN)).astype(dtype)
    texture = np.repeat(plane[..., None], shape[2], axis=2) if len(shape) == 3 else plane
    field_shape = (_NOISE_BANK, shape[0] + _NOISE_ROWS, shape[1] - _SHIFT_PERIOD, *shape[2:])
    noise = rng.integers(0, _NOISE_LEVELS, size=field_shape, dtype=np.uint8)
    noise += rng.integers(0, _NOISE_LEVELS, size=field_shape, dtype=np.uint8)
    return texture, noise


def content_sequence(frame_id: int, repeats: frozenset[int], previous: int) -> int:
    """The content shown in slot ``frame_id``: a repeated slot shows the previous content again."""
    return previous if frame_id in repeats and frame_id > 0 else frame_id


class SyntheticCamera:
    """A camera with a known truth: schedule, drops and repeats are all given in the config."""

    def __init__(self, config: CameraConfig) -> None:
        self._config = config
        self._geometry = FrameGeometry(
            width=config.width,
            height=config.height,
            pixel_format=PixelFormat(config.pixel_format),
            nominal_fps=config.fps,
        )
        self._renderer = SceneRenderer(self._geometry, scene=config.scene, brightness=config.brightness)
        self._drops = frozenset(config.drop_frames)
        self._repeats = frozenset(config.repeat_frames)
        self._rng = np.random.default_rng(11)
        self._slot = 0
        self._content = 0
        self._start_s = 0.0
        self._due_s = 0.0
        self._interrupted = threading.Event()
        # The longest a frame came after its due time: a loaded machine makes frames late long
        # before it makes them drop, and the worker reports this beside its drop counts.
        self.max_schedule_lag_us = 0

    @property
    def geometry(self) -> FrameGeometry:
        return self._geometry

    @property
    def live(self) -> bool:
        return self._config.fps > 0

    def open(self) -> None:
        self._start_s = time.perf_counter()
        self._due_s = self._start_s

    def _next_due(self) -> float:
        period = 1.0 / (self._config.true_fps or self._config.fps)
        if self._config.irregular:
            period *= 0.4 + 1.2 * float(self._rng.random())
        self._due_s += period
        if self._config.jitter_us:
            jitter = float(self._rng.integers(-self._config.jitter_us, self._config.jitter_us + 1)) / 1e6
            return self._due_s + jitter
        return self._due_s

    def interrupt(self) -> None:
        """Ends a wait for the next frame at once: at fps=0.001 that wait is a quarter of an hour."""
        self._interrupted.set()

    def _wait_until(self, due_s: float) -> None:
        remaining = due_s - time.perf_counter()
        if remaining > _SPIN_S and self._interrupted.wait(remaining - _SPIN_S):
            raise EndOfStream
        while time.perf_counter() < due_s:
            pass

    def read(self, out: np.ndarray) -> FrameInfo:  # type: ignore[type-arg]
        if self._slot == 0:  # the schedule starts at the first read, not at open: no catch-up burst
            self._start_s = self._due_s = time.perf_counter()
        while True:
            slot = self._slot
            self._slot += 1
            due = self._due_s if slot == 0 or self._config.fps <= 0 else self._next_due()
            if slot in self._drops:
                continue
            break
        if self._config.fps > 0:
            self._wait_until(due)
            lag_us = int((time.perf_counter() - due) * 1e6)
            self.max_schedule_lag_us = max(self.max_schedule_lag_us, lag_us)
        self._content = content_sequence(slot, self._repeats, self._content)
        self._renderer.render(self._content, out)
        return FrameInfo(camera_frame_id=slot, device_time_ns=-1)

    def close(self) -> None:
        return None
