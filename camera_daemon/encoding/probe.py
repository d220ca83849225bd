"""Start-time encoder check: run each camera's exact ffmpeg command on one blank frame first.

An encoder that cannot run here (a hardware encoder without its GPU or device, a size the encoder
refuses) otherwise fails only after the session folder exists and the workers have started, and
leaves a half-made session behind. One frame through the very same arguments, written to a pipe
instead of a file, answers the question in about a tenth of a second and writes nothing.
"""

from __future__ import annotations

import contextlib
import functools
import re
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from camera_daemon.cameras.base import FrameGeometry, PixelFormat
from camera_daemon.config import Backend, CameraConfig, EncoderConfig, Hardware, SessionConfig
from camera_daemon.encoding.command import build_command, encoder_name
from camera_daemon.encoding.timed_stream import one_frame_stream, tick_us
from camera_daemon.errors import ConfigError, EncoderError

_PROBE_OUTPUT = Path("pipe:1")
_TIMEOUT_S = 20.0
_PREFIX = re.compile(r"^\[[^\]]+ @ 0x[0-9a-f]+\]\s*")
# ffmpeg's closing summaries repeat that something failed without saying what; the line above says why
_GENERIC = ("Error initializing output stream", "Error parsing global options", "Conversion failed", "Error while ")


def probe_geometry(camera: CameraConfig) -> FrameGeometry:
    """The frames the camera will hand to ffmpeg. Exact for the synthetic camera; for a real device
    the size is only a request until it opens, so the check then uses an even size near it, which
    still proves the encoder itself can run."""
    fmt = PixelFormat(camera.pixel_format) if camera.pixel_format in PixelFormat.__members__ else PixelFormat.bgr8
    if camera.backend is Backend.synthetic:
        return FrameGeometry(camera.width, camera.height, fmt, camera.fps)
    return FrameGeometry(camera.width + camera.width % 2, camera.height + camera.height % 2, fmt, camera.fps)


def ffmpeg_reason(stderr: str) -> str:
    """ffmpeg's own last line that says why, without the ``[libx264 @ 0x...]`` address prefix."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in reversed(lines):
        if not line.startswith(_GENERIC):
            return _PREFIX.sub("", line)
    return _PREFIX.sub("", lines[-1]) if lines else "ffmpeg exited without a message"


@functools.cache
def _run_probe(args: tuple[str, ...], stream: bytes) -> str | None:
    """None when the command encodes one frame; else ffmpeg's reason. Cached: the same command on
    the same geometry gives the same answer for the life of the process."""
    try:
        result = subprocess.run(args, input=stream, capture_output=True, timeout=_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return f"it did not encode one frame within {_TIMEOUT_S:g} s"
    except OSError as error:
        raise EncoderError(f"cannot start ffmpeg ({error}); check CAMD_FFMPEG or install ffmpeg") from None
    if result.returncode == 0:
        return None
    return ffmpeg_reason(result.stderr.decode(errors="replace"))


def _fail(encoder: EncoderConfig, geometry: FrameGeometry, index: int, reason: str) -> ConfigError:
    name = encoder_name(encoder)
    if encoder.hardware is not Hardware.cpu:
        return ConfigError(f'encoder.hardware: {name} cannot run here ({reason}); use hardware = "cpu"')
    return ConfigError(
        f"cameras.{index}.width/height: {name} cannot encode {geometry.width}x{geometry.height} "
        f"{geometry.pixel_format.value} frames ({reason}); change width and height (most codecs need even "
        'numbers), or use codec = "ffv1"'
    )


def check_encoders(config: SessionConfig) -> None:
    """Raise a one-line ConfigError naming the field to change when a camera's encoder cannot run.

    Cameras sharing a command share one probe, and distinct commands run side by side, so many
    cameras cost about as much as one."""
    # The frame size travels in the NUT stream, not in the command: a probe is one (command, stream).
    tick = tick_us(config.encoder.container)
    planned: list[tuple[int, FrameGeometry, tuple[tuple[str, ...], bytes]]] = []
    streams: dict[FrameGeometry, bytes] = {}
    for index, camera in enumerate(config.cameras):
        geometry = probe_geometry(camera)
        if geometry not in streams:
            streams[geometry] = one_frame_stream(geometry, tick)
        args = tuple(build_command(config.encoder, geometry, _PROBE_OUTPUT))
        planned.append((index, geometry, (args, streams[geometry])))
    unique = list(dict.fromkeys(key for _, _, key in planned))
    with ThreadPoolExecutor(max_workers=min(4, len(unique))) as pool:
        answers = pool.map(_run_probe, [args for args, _ in unique], [stream for _, stream in unique])
        reasons = dict(zip(unique, answers, strict=True))
    for index, geometry, key in planned:
        reason = reasons[key]
        if reason is not None:
            raise _fail(config.encoder, geometry, index, reason)


def check_encoders_early(config: SessionConfig) -> threading.Thread:
    """Start the probes in a thread while the caller goes on importing the recorder (half a
    second), and join it before recording: ``check_encoders`` then finds each answer cached, and
    raises from it as usual. A probe is mostly a wait on ffmpeg, so the two overlap well."""

    def probe() -> None:
        with contextlib.suppress(Exception):  # check_encoders raises it again, in the caller
            check_encoders(config)

    thread = threading.Thread(target=probe, name="encoder-check", daemon=True)
    thread.start()
    return thread
