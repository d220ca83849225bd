"""Checks that need no camera: the ffmpeg in use, the hardware encoders, the producers, the runtime folder."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from camera_daemon.cameras.base import FrameGeometry, PixelFormat
from camera_daemon.config import Backend, Codec, EncoderConfig, Hardware, SessionConfig
from camera_daemon.encoding.binary import ffmpeg_path, ffmpeg_version
from camera_daemon.encoding.command import build_command, encoder_name
from camera_daemon.encoding.probe import ffmpeg_reason
from camera_daemon.encoding.timed_stream import one_frame_stream, tick_us
from camera_daemon.errors import CamdError
from camera_daemon.gentl import producers
from camera_daemon.preflight.rows import Row, Verdict

_TIMEOUT_S = 20.0
_HARDWARE_GEOMETRY = FrameGeometry(640, 480, PixelFormat.mono8, 30.0)


def check_ffmpeg() -> Row:
    try:
        path, version = ffmpeg_path(), ffmpeg_version()
    except (CamdError, OSError) as error:
        return Row("ffmpeg", Verdict.fail, str(error))
    return Row("ffmpeg", Verdict.ok, f"{version} at {path}", {"path": path, "version": version})


def encode(
    config: SessionConfig | EncoderConfig, geometry: FrameGeometry, frame: bytes | None = None
) -> tuple[bytes | None, str]:
    """The encoded bytes of one frame (blank unless given) through the recorder's exact command, fed
    the recorder's own NUT framing; or None and ffmpeg's reason."""
    encoder = config.encoder if isinstance(config, SessionConfig) else config
    args = build_command(encoder, geometry, Path("pipe:1"))
    stream = one_frame_stream(geometry, tick_us(encoder.container), frame)
    try:
        result = subprocess.run(args, input=stream, capture_output=True, timeout=_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return None, f"it did not encode one frame within {_TIMEOUT_S:g} s"
    except OSError as error:
        return None, f"cannot start ffmpeg ({error.strerror})"
    if result.returncode != 0:
        return None, ffmpeg_reason(result.stderr.decode(errors="replace"))
    return result.stdout, ""


def check_hardware(config: SessionConfig) -> list[Row]:
    """nvenc, vaapi and qsv tried on one blank frame: a lab may plan on a GPU that is not usable."""
    rows = []
    for hardware in (Hardware.nvenc, Hardware.vaapi, Hardware.qsv):
        if hardware is config.encoder.hardware:
            continue  # the configured encoder has its own row, where failing fails the preflight
        encoder = config.encoder.model_copy(update={"hardware": hardware})
        try:
            name = encoder_name(encoder)
        except KeyError:  # no hardware form of this codec (ffv1): ask about the GPU with h264
            encoder = encoder.model_copy(update={"codec": Codec.h264, "crf": None, "qp": None})
            name = encoder_name(encoder)
        encoded, reason = encode(encoder, _HARDWARE_GEOMETRY)
        detail = f"{name} encodes here" if encoded is not None else f"{name} unusable: {reason}"
        rows.append(Row(f"hardware {hardware.value}", Verdict.info, detail, {"usable": encoded is not None}))
    return rows


def check_producers(config: SessionConfig) -> list[Row]:
    listed = producers.configured_producers()
    wanted = any(camera.backend is Backend.genicam for camera in config.cameras)
    if not listed.paths:
        verdict = Verdict.fail if wanted else Verdict.ok
        return [Row("producers", verdict, "none configured (camd cti set PATH, or CAMD_CTI)")]
    rows = []
    for path in listed.paths:
        problem = producers.load_problem(path)
        if problem:
            rows.append(Row(f"producer {path.name}", Verdict.fail, problem, {"path": str(path)}))
        else:
            rows.append(Row(f"producer {path.name}", Verdict.ok, f"loads ({path})", {"path": str(path)}))
    return rows


def check_runtime() -> Row:
    from camera_daemon.daemon.runtime import runtime_dir

    try:
        folder = runtime_dir()
    except CamdError as error:
        return Row("runtime folder", Verdict.fail, str(error))
    try:
        mode = stat.S_IMODE(os.stat(folder).st_mode)
    except OSError as error:
        return Row("runtime folder", Verdict.fail, f"{folder} cannot be read ({error.strerror})")
    detail = f"{folder} (yours, mode {mode:04o}, not writable by others)"
    return Row("runtime folder", Verdict.ok, detail, {"path": str(folder), "mode": f"{mode:04o}"})
