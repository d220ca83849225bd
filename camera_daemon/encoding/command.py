"""Builds one ffmpeg command per camera from the encoder settings, as a plain argv list.

Three choices here protect recordings: the container is one a reader can open without a trailer
(Matroska, or fragmented MP4) with clusters/fragments of a quarter second, so a killed encoder loses
little; frames arrive as NUT packets that carry their logged times (``timed_stream.py``), which
ffmpeg keeps as they are, so the file is final when ffmpeg closes it; and no codec is allowed
B-frames, so packet order equals frame order and a session recorded before the times travelled with
the frames can still get them written onto its packets later without decoding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from camera_daemon.cameras.base import FrameGeometry, PixelFormat
from camera_daemon.config import Codec, Container, EncoderConfig, Hardware, SpeedPreset
from camera_daemon.encoding.binary import ffmpeg_path
from camera_daemon.encoding.timed_stream import tick_us

_PRESET_ORDER = list(SpeedPreset)
_FALLBACK_NOMINAL_FPS = 30.0
_CHUNK_MS = 250

_ENCODER_NAMES: dict[tuple[Codec, Hardware], str] = {
    (Codec.h264, Hardware.cpu): "libx264",
    (Codec.hevc, Hardware.cpu): "libx265",
    (Codec.av1, Hardware.cpu): "libsvtav1",
    (Codec.ffv1, Hardware.cpu): "ffv1",
    (Codec.mjpeg, Hardware.cpu): "mjpeg",
    (Codec.h264, Hardware.nvenc): "h264_nvenc",
    (Codec.hevc, Hardware.nvenc): "hevc_nvenc",
    (Codec.av1, Hardware.nvenc): "av1_nvenc",
    (Codec.h264, Hardware.vaapi): "h264_vaapi",
    (Codec.hevc, Hardware.vaapi): "hevc_vaapi",
    (Codec.av1, Hardware.vaapi): "av1_vaapi",
    (Codec.mjpeg, Hardware.vaapi): "mjpeg_vaapi",
    (Codec.h264, Hardware.qsv): "h264_qsv",
    (Codec.hevc, Hardware.qsv): "hevc_qsv",
    (Codec.av1, Hardware.qsv): "av1_qsv",
    (Codec.mjpeg, Hardware.qsv): "mjpeg_qsv",
}


def encoder_name(config: EncoderConfig) -> str:
    return _ENCODER_NAMES[(config.codec, config.hardware)]


def _output_pix_fmt(config: EncoderConfig, pixel_format: PixelFormat) -> str:
    mono = pixel_format is not PixelFormat.bgr8
    if config.codec is Codec.ffv1:
        return {PixelFormat.mono8: "gray", PixelFormat.mono16: "gray16le", PixelFormat.bgr8: "bgr0"}[pixel_format]
    if config.codec is Codec.mjpeg:
        return "yuvj420p"
    if config.hardware is Hardware.cpu and config.codec in (Codec.h264, Codec.hevc) and mono:
        return "gray"
    return "nv12" if config.hardware is not Hardware.cpu else "yuv420p"


def depth_warning(config: EncoderConfig, camera: str, pixel_format: str) -> str | None:
    """One line when the video keeps fewer bits than the camera sends: only ffv1 stores 16-bit
    gray losslessly, every other codec here quietly drops the low 8 bits of a mono16 frame."""
    if pixel_format != PixelFormat.mono16.value or config.codec is Codec.ffv1:
        return None
    return (
        f"camera '{camera}' sends mono16 but {config.codec.value} keeps 8 bits per pixel; "
        'use --codec ffv1 (codec = "ffv1") to keep all 16'
    )


def _quality_options(config: EncoderConfig) -> dict[str, Any]:
    level = _PRESET_ORDER.index(config.preset)
    quality = config.crf if config.crf is not None else config.qp
    if config.codec is Codec.ffv1:
        return {"level": 3, "slicecrc": 1, "slices": 4}
    if config.codec is Codec.mjpeg:
        return {"q:v": quality if quality is not None else 3}
    if config.hardware is Hardware.nvenc:
        return {"preset": f"p{1 + round(level * 6 / 8)}", "rc": "vbr", "cq": quality if quality is not None else 23}
    if config.hardware is Hardware.vaapi:
        return {"qp": quality if quality is not None else 23}
    if config.hardware is Hardware.qsv:
        return {"global_quality": quality if quality is not None else 23}
    if config.codec is Codec.av1:
        options: dict[str, Any] = {"preset": 12 - level, "svtav1-params": "pred-struct=1"}
    else:
        options = {"preset": config.preset.value}
    if config.qp is not None:
        options["qp"] = config.qp
    else:
        options["crf"] = config.crf if config.crf is not None else (30 if config.codec is Codec.av1 else 23)
    if config.codec is Codec.hevc:
        options["x265-params"] = "bframes=0:log-level=error"
    return options


def build_command(config: EncoderConfig, geometry: FrameGeometry, output: Path, loglevel: str = "error") -> list[str]:
    """The full argument list: timed raw frames (NUT) on stdin, one video stream out.

    ``-fps_mode passthrough`` and the input's time base for the encoder (spelled as a ratio, which
    every ffmpeg from 5.1 on reads alike) keep every frame and its
    time exactly as sent: no frame is duplicated or dropped to fit a nominal rate.
    """
    nominal = geometry.nominal_fps if geometry.nominal_fps > 0 else _FALLBACK_NOMINAL_FPS
    gop = 1 if config.codec in (Codec.ffv1, Codec.mjpeg) else max(1, round(nominal * config.keyframe_interval_s))
    input_options: dict[str, Any] = {"f": "nut"}
    output_options: dict[str, Any] = {
        "fps_mode": "passthrough",
        "enc_time_base": f"1:{1_000_000 // tick_us(config.container)}",
        "vcodec": encoder_name(config),
        "pix_fmt": _output_pix_fmt(config, geometry.pixel_format),
        "g": gop,
        "an": None,
        **_quality_options(config),
    }
    if config.codec in (Codec.h264, Codec.hevc, Codec.av1) and config.hardware is not Hardware.qsv:
        output_options["bf"] = 0
    if config.threads:
        output_options["threads"] = config.threads
    if config.container is Container.mkv:
        output_options.update({"f": "matroska", "cluster_time_limit": _CHUNK_MS, "flush_packets": 1})
    else:
        output_options.update(
            {
                "f": "mp4",
                "movflags": "+frag_keyframe+empty_moov+default_base_moof",
                "frag_duration": _CHUNK_MS * 1000,
                "flush_packets": 1,
            }
        )
    global_args = ["-hide_banner", "-nostats", "-loglevel", loglevel]
    if config.hardware is Hardware.vaapi:
        global_args += ["-vaapi_device", "/dev/dri/renderD128"]
        output_options["vf"] = "format=nv12,hwupload"
        output_options.pop("pix_fmt")
    return [ffmpeg_path(), *global_args, *_flags(input_options), "-i", "pipe:", *_flags(output_options), str(output)]


def _flags(options: dict[str, Any]) -> list[str]:
    """``-f`` first, the rest by name, a value of None a bare flag: one config always gives the
    same argv, so logs and probe results can be compared across runs."""
    ordered = sorted(options.items(), key=lambda item: (item[0] != "f", item[0]))
    args: list[str] = []
    for key, value in ordered:
        args.append(f"-{key}")
        if value is not None:
            args.append(str(value))
    return args


def video_suffix(config: EncoderConfig) -> str:
    return ".mkv" if config.container is Container.mkv else ".mp4"
