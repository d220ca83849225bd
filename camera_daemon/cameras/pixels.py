"""GenICam pixel formats turned into the three layouts the pipeline encodes.

A frame is converted exactly once, straight from the producer's buffer into the worker's slot,
because the buffer goes back to the producer right after and any extra copy costs a core at high
rates. Deeper mono formats are shifted up to fill 16 bits so that a lossless codec (ffv1) keeps
every bit and players show a normal brightness; down-converting to 8 bits is an explicit choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from camera_daemon.cameras.base import PixelFormat
from camera_daemon.errors import CameraError

# OpenCV names a Bayer pattern after the second row's second and third pixels, GenICam after the
# top-left 2x2 tile, so the same mosaic has different names; tests check this on a known tile.
_BAYER_TO_CV2 = {
    "BayerRG8": cv2.COLOR_BayerBG2BGR,
    "BayerGB8": cv2.COLOR_BayerGR2BGR,
    "BayerGR8": cv2.COLOR_BayerGB2BGR,
    "BayerBG8": cv2.COLOR_BayerRG2BGR,
}
_COLOUR_TO_CV2 = {
    "RGB8": cv2.COLOR_RGB2BGR,
    "RGBa8": cv2.COLOR_RGBA2BGR,
    "BGRa8": cv2.COLOR_BGRA2BGR,
}
_COLOUR_CHANNELS = {"RGB8": 3, "BGR8": 3, "RGBa8": 4, "BGRa8": 4}
_MONO_BITS = {"Mono8": 8, "Mono10": 10, "Mono12": 12, "Mono16": 16}

SUPPORTED_FORMATS: tuple[str, ...] = (
    *_MONO_BITS,
    *_BAYER_TO_CV2,
    *_COLOUR_CHANNELS,
)


def natural_output(genicam_format: str) -> PixelFormat:
    """The layout a format becomes when nobody asks otherwise: no bit and no colour is lost."""
    _check_supported(genicam_format)
    if genicam_format == "Mono8":
        return PixelFormat.mono8
    if genicam_format in _MONO_BITS:
        return PixelFormat.mono16
    return PixelFormat.bgr8


def _check_supported(genicam_format: str) -> None:
    if genicam_format not in SUPPORTED_FORMATS:
        raise CameraError(
            f"pixel format '{genicam_format}' cannot be recorded; "
            f"set the camera to one of {', '.join(SUPPORTED_FORMATS)}"
        )


def _allowed_outputs(genicam_format: str) -> tuple[PixelFormat, ...]:
    if genicam_format == "Mono8":
        return (PixelFormat.mono8,)
    if genicam_format in _MONO_BITS:
        return (PixelFormat.mono16, PixelFormat.mono8)
    return (PixelFormat.bgr8,)


@dataclass
class PixelConverter:
    """Converts frames of one format and size; built once per acquisition, reused for every frame.

    ``convert`` takes the producer's payload as delivered (flat bytes, or an array of the
    format's container type) and writes into ``out`` without allocating, except that a
    down-conversion to mono8 keeps one scratch frame of its own.
    """

    genicam_format: str
    width: int
    height: int
    output: PixelFormat
    _scratch: np.ndarray | None = field(default=None, repr=False)  # type: ignore[type-arg]

    def __post_init__(self) -> None:
        _check_supported(self.genicam_format)
        allowed = _allowed_outputs(self.genicam_format)
        if self.output not in allowed:
            names = ", ".join(str(choice) for choice in allowed)
            raise CameraError(f"pixel format '{self.genicam_format}' cannot be converted to {self.output}; use {names}")

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.output.shape(self.width, self.height)

    @property
    def input_bytes(self) -> int:
        """Payload size of one frame, to tell a short (broken) buffer from a good one."""
        pixels = self.width * self.height
        if self.genicam_format in _MONO_BITS:
            return pixels * (1 if _MONO_BITS[self.genicam_format] == 8 else 2)
        return pixels * _COLOUR_CHANNELS.get(self.genicam_format, 1)

    def convert(self, payload: np.ndarray, out: np.ndarray) -> None:  # type: ignore[type-arg]
        if out.shape != self.output_shape or out.dtype != self.output.dtype:
            raise CameraError(
                f"output slot is {out.shape} {out.dtype}, expected {self.output_shape} "
                f"{np.dtype(self.output.dtype)}; the camera's geometry changed after open"
            )
        raw = np.ascontiguousarray(payload).reshape(-1).view(np.uint8)
        if raw.size < self.input_bytes:
            raise CameraError(
                f"{self.genicam_format} payload has {raw.size} bytes, a {self.width}x{self.height} frame "
                f"needs {self.input_bytes}; the camera's geometry changed after open"
            )
        raw = raw[: self.input_bytes]
        fmt = self.genicam_format
        if fmt in _MONO_BITS:
            self._convert_mono(raw, out)
        elif fmt in _BAYER_TO_CV2:
            cv2.cvtColor(raw.reshape(self.height, self.width), _BAYER_TO_CV2[fmt], dst=out)
        elif fmt == "BGR8":
            np.copyto(out, raw.reshape(self.height, self.width, 3))
        else:
            source = raw.reshape(self.height, self.width, _COLOUR_CHANNELS[fmt])
            cv2.cvtColor(source, _COLOUR_TO_CV2[fmt], dst=out)

    def _convert_mono(self, raw: np.ndarray, out: np.ndarray) -> None:  # type: ignore[type-arg]
        bits = _MONO_BITS[self.genicam_format]
        if bits == 8:
            np.copyto(out, raw.reshape(self.height, self.width))
            return
        # Little-endian 16-bit containers, as GenICam defines the unpacked MonoN formats.
        source = raw.view("<u2").reshape(self.height, self.width)
        if self.output is PixelFormat.mono16:
            np.left_shift(source, 16 - bits, out=out, dtype=np.uint16)
            return
        if self._scratch is None:
            self._scratch = np.empty((self.height, self.width), dtype=np.uint16)
        np.right_shift(source, bits - 8, out=self._scratch)
        np.copyto(out, self._scratch, casting="unsafe")


def converter_for(genicam_format: str, width: int, height: int, output: PixelFormat | None = None) -> PixelConverter:
    """A converter to ``output``, or to the format's natural layout when none is asked for."""
    chosen = natural_output(genicam_format) if output is None else output
    return PixelConverter(genicam_format=genicam_format, width=width, height=height, output=chosen)
