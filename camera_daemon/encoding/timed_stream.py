"""Raw frames with their logged times, streamed to ffmpeg as NUT so the video carries the times itself.

Bare raw frames on a pipe have no times: ffmpeg stamps them at a nominal rate, and the logged times
had to be written in afterwards by a remux that rewrote every byte at stop and needed as much free
disk again. NUT is ffmpeg's own container for exactly this: each raw frame is one packet with a
presentation time. ffmpeg keeps those times (``-fps_mode passthrough``, encoder time base = the
input's), so the file is final the moment ffmpeg closes it.

The times sent are already on the output container's clock (Matroska: 1 ms, fragmented MP4: 1 µs),
counted from the first frame and kept strictly increasing, by the same rule the remux applies
(``encoding/remux.py``): the video reads back exactly what a remux would have written.

PyAV (``av``) writes the NUT packets straight to the pipe's descriptor from C and releases the GIL
while a full pipe blocks, so the grabbing thread is never held up by a slow encoder.
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

import av

from camera_daemon.cameras.base import FrameGeometry
from camera_daemon.config import Container

MKV_TICK_US = 1000
MP4_TICK_US = 1


def tick_us(container: Container) -> int:
    """The output container's time resolution in µs: the finest time the video can hold."""
    return MKV_TICK_US if container is Container.mkv else MP4_TICK_US


class TickClock:
    """Turns logged host times (µs since onset) into strictly increasing container ticks.

    Round half to even on the offset from the first frame, then at least one tick after the
    previous frame (a muxer refuses equal times): identical to ``remux._ticks``.
    """

    def __init__(self, tick: int) -> None:
        self._tick = tick
        self._first: int | None = None
        self._last = -1

    def ticks(self, host_time_us: int) -> int:
        if self._first is None:
            self._first = host_time_us
        quotient, remainder = divmod(host_time_us - self._first, self._tick)
        if remainder * 2 > self._tick or (remainder * 2 == self._tick and quotient % 2 == 1):
            quotient += 1
        value = max(quotient, self._last + 1)
        self._last = value
        return value


class TimedFrameWriter:
    """A NUT stream of raw frames on an open file descriptor (ffmpeg's stdin)."""

    def __init__(self, target: int | io.BytesIO, geometry: FrameGeometry, tick: int) -> None:
        self._time_base = Fraction(tick, 1_000_000)
        url: Any = f"pipe:{target}" if isinstance(target, int) else target
        # flush_packets: every frame leaves this process whole in the call that muxes it, so a frame
        # whose time is then logged is entirely in ffmpeg's hands (the log's order is the video's).
        self._output = av.open(url, "w", format="nut", options={"flush_packets": "1"})
        nominal = geometry.nominal_fps if geometry.nominal_fps > 0 else 30
        stream = self._output.add_stream("rawvideo", rate=Fraction(nominal).limit_denominator(1001))
        stream.width = geometry.width
        stream.height = geometry.height
        stream.pix_fmt = geometry.pixel_format.ffmpeg_name
        stream.time_base = self._time_base
        stream.codec_context.time_base = self._time_base
        self._stream = stream
        self.clock = TickClock(tick)

    def write(self, frame: memoryview, host_time_us: int) -> None:
        packet = av.Packet(frame)  # type: ignore[arg-type]  # any buffer works; the stub says bytes
        packet.stream = self._stream
        packet.time_base = self._time_base
        packet.pts = packet.dts = self.clock.ticks(host_time_us)
        self._output.mux_one(packet)

    def close(self) -> None:
        self._output.close()


def one_frame_stream(geometry: FrameGeometry, tick: int, frame: bytes | None = None) -> bytes:
    """A complete NUT stream of one frame (blank unless given): what the encoder checks feed ffmpeg,
    framed exactly as the recorder frames it, so a check runs the recorder's own command."""
    buffer = io.BytesIO()
    writer = TimedFrameWriter(buffer, geometry, tick)
    writer.write(memoryview(frame if frame is not None else bytes(geometry.frame_bytes)), 0)
    writer.close()
    return buffer.getvalue()
