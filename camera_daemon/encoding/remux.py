"""Rewrites a recorded video so its presentation times are the logged per-frame times.

ffmpeg received raw frames at a nominal rate, so its file plays at that rate whatever the camera
really did. Packets are copied, never re-encoded: frame i of the file gets the i-th logged host
time. Encoders run without B-frames, so packet order is frame order and no decode is needed,
except to verify a file a crash cut short, where the last packets may be incomplete.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import av
import numpy as np

_MKV_TIME_BASE = Fraction(1, 1000)
_MP4_TIME_BASE = Fraction(1, 1_000_000)


def count_packets(path: Path) -> int:
    """Packets in the video stream, read from the container without decoding."""
    count = 0
    try:
        with av.open(str(path)) as container:
            for packet in container.demux(video=0):
                if packet.size:
                    count += 1
    except (av.error.FFmpegError, EOFError):
        pass  # a truncated tail ends the count; what was read is what a player can reach
    return count


def count_decodable(path: Path) -> int:
    """Frames a player can show, counted by decoding up to the first packet that fails: a disk that
    filled mid-write can leave a last packet cut short, which a packet count would include."""
    count = 0
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            for packet in container.demux(stream):
                if packet.size and _decodes(stream.codec_context, packet):
                    count += 1
                elif packet.size:
                    break
    except (av.error.FFmpegError, EOFError, IndexError):
        pass
    return count


def _ticks(pts_us: np.ndarray, time_base: Fraction) -> np.ndarray:  # type: ignore[type-arg]
    """Times in stream ticks, kept strictly increasing: a muxer rejects equal timestamps."""
    scale = time_base.denominator / (time_base.numerator * 1_000_000)
    ticks = np.rint((pts_us - pts_us[0]) * scale).astype(np.int64)
    for i in range(1, ticks.size):  # only matters above the tick rate (mkv: > 1000 fps)
        if ticks[i] <= ticks[i - 1]:
            ticks[i] = ticks[i - 1] + 1
    return ticks  # type: ignore[no-any-return]


def apply_timestamps(source: Path, target: Path | BinaryIO, pts_us: np.ndarray, *, verify: bool = False) -> int:  # type: ignore[type-arg]
    """Copy at most ``len(pts_us)`` packets from ``source`` into ``target`` with the given times.

    ``target`` may be a file already open for reading and writing (Matroska only: the mp4 muxer
    reopens its output by name): PyAV opening a path itself would follow a link planted at that
    name, while a file the caller created exclusively cannot be one.

    With ``verify`` every packet is decoded first and copying stops at the first that fails, so
    the result holds only frames a player can show. Returns how many frames ``target`` holds.
    """
    if pts_us.size == 0:
        return 0
    suffix = source.suffix.lower()
    time_base = _MKV_TIME_BASE if suffix == ".mkv" else _MP4_TIME_BASE
    ticks = _ticks(pts_us.astype(np.int64), time_base)
    last_duration = int(np.median(np.diff(ticks))) if ticks.size > 1 else 1
    written = 0
    options = {"movflags": "+faststart"} if suffix == ".mp4" else {}
    output = str(target) if isinstance(target, Path) else target
    with av.open(str(source)) as reader, av.open(output, "w", format=_format(suffix), options=options) as out:
        in_stream = reader.streams.video[0]
        out_stream = out.add_stream_from_template(in_stream, opaque=True)
        out_stream.time_base = time_base
        decoder = in_stream.codec_context if verify else None
        try:
            for packet in reader.demux(in_stream):
                if not packet.size:
                    continue
                if written >= ticks.size:
                    break
                if decoder is not None and not _decodes(decoder, packet):
                    break
                packet.stream = out_stream
                packet.time_base = time_base
                packet.pts = packet.dts = int(ticks[written])
                packet.duration = (
                    int(ticks[written + 1] - ticks[written]) if written + 1 < ticks.size else max(1, last_duration)
                )
                out.mux(packet)
                written += 1
        except (av.error.FFmpegError, EOFError):
            pass  # truncated tail of a crashed recording: keep what was complete
    return written


def _decodes(decoder: Any, packet: Any) -> bool:
    try:
        decoder.decode(packet)
    except av.error.FFmpegError:
        return False
    return True


def _format(suffix: str) -> str:
    return "matroska" if suffix == ".mkv" else "mp4"
