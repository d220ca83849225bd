"""A per-camera shared-memory slot holding the latest downscaled frame, for anyone who wants to look.

The recording path must not pay for watchers: no pickling, no queue, no lock, no wait. So a camera's
worker owns one fixed-size slot in ``/dev/shm`` and is its only writer; it publishes a downscaled
copy only when a reader asked for frames recently and the tap's interval has passed. Otherwise
``offer`` costs one monotonic-clock read and a comparison.

Consistency is a seqlock: the writer makes the sequence number odd, copies header and pixels, then
makes it even. A reader copies header and pixels between two reads of the sequence number and keeps
the copy only if both reads are the same even number, so a torn frame is never returned; the writer
never waits for a reader.

API (all a reader needs)::

    reader = TapReader.attach(name)          # None while the camera's worker has not created it
    reader.want(seconds=2.0, rate_hz=10.0)   # ask for frames for the next 2 s, at most 10 a second
    frame = reader.latest()                  # TapFrame (pixels + header) or None before the first
    frame.seq, frame.frame_index, frame.camera_frame_id, frame.host_time_us, frame.pixels
    reader.close()

``frame_index`` is the frame's row in the video and its timestamp table, or -1 for a frame that is
not being saved (paused, dropped, or a camera shown without recording). ``host_time_us`` is the same
clock as the table's. Readers map the pixels read-only; the one word they write is their demand.
Writer side: ``TapWriter.create(spec, shape, dtype)`` in the process that grabs, ``offer`` per frame,
``close`` at the end; ``unlink_tap(name)`` by whoever outlives a killed writer.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_SHM = Path("/dev/shm")
_MAGIC = 0x3150_4154_444D_4143  # "CAMDTAP1" little-endian
_PAGE = mmap.PAGESIZE
# Bytes before the pixels in the frame page: room for 16 header words, so that no header word is
# ever a pixel (a word past the header would be overwritten by the first published frame).
_HEADER = 128
# Control page, u64 words: magic, capacity, default interval, demand-until, wanted interval, then
# "every" and its own demand-until: until then, each saved frame whose index is a multiple of it is
# published too (an analysis process asks for every N-th recorded frame, not for a rate).
_C_MAGIC, _C_CAPACITY, _C_INTERVAL, _C_DEMAND_UNTIL, _C_WANT_INTERVAL, _C_EVERY, _C_EVERY_UNTIL = range(7)
# Frame header, u64 words: seq, frame index, camera frame id, host time, published time, h, w, c, dtype.
_F_SEQ, _F_INDEX, _F_ID, _F_HOST, _F_PUBLISHED, _F_H, _F_W, _F_C, _F_DTYPE = range(9)
_READ_ATTEMPTS = 64


@dataclass(frozen=True)
class TapSpec:
    """What the process that creates a camera's tap needs: where, how wide, how often by default."""

    name: str  # the file's name in /dev/shm, e.g. camd-tap-<pid>-<n>
    width: int = 320  # pixels across the published copy; never wider than the camera's frame
    rate_hz: float = 10.0  # default publishing rate while someone watches


@dataclass(frozen=True)
class TapFrame:
    seq: int
    frame_index: int
    camera_frame_id: int
    host_time_us: int
    published_ns: int  # time.monotonic_ns() when it was published (one clock for every process)
    pixels: np.ndarray  # type: ignore[type-arg]


def tap_shape(shape: tuple[int, ...], width: int) -> tuple[int, ...]:
    """The downscaled shape, keeping the aspect ratio (and the channels) of ``shape``."""
    height, full_width = shape[0], shape[1]
    target_w = max(1, min(width, full_width)) if width > 0 else full_width
    target_h = max(1, round(height * target_w / full_width))
    return (target_h, target_w, *shape[2:])


def _dtype_code(dtype: np.dtype) -> int:  # type: ignore[type-arg]
    return int.from_bytes(dtype.str.encode().ljust(8, b"\0"), "little")


def _dtype_from(code: int) -> np.dtype:  # type: ignore[type-arg]
    return np.dtype(code.to_bytes(8, "little").rstrip(b"\0").decode())


def unlink_tap(name: str) -> None:
    """Removes a tap's file; mappings already open stay valid until their owners close them."""
    with contextlib.suppress(OSError):
        os.unlink(_SHM / name)


class TapWriter:
    """The one writer of a tap; lives in the process that grabs the camera."""

    def __init__(self, spec: TapSpec, shape: tuple[int, ...], dtype: np.dtype) -> None:  # type: ignore[type-arg]
        self.name = spec.name
        self.shape = tap_shape(shape, spec.width)
        self.dtype = np.dtype(dtype)
        capacity = int(np.prod(self.shape)) * self.dtype.itemsize
        size = _PAGE + _HEADER + capacity
        unlink_tap(spec.name)  # a killed session of a reused pid left it: it is ours now
        descriptor = os.open(_SHM / spec.name, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            os.ftruncate(descriptor, size)
            self._map = mmap.mmap(descriptor, size)
        finally:
            os.close(descriptor)
        self._control = np.frombuffer(self._map, dtype=np.uint64, count=8, offset=0)
        self._header = np.frombuffer(self._map, dtype=np.uint64, count=9, offset=_PAGE)
        count = int(np.prod(self.shape))
        pixels = np.frombuffer(self._map, dtype=self.dtype, count=count, offset=_PAGE + _HEADER)
        self._pixels = pixels.reshape(self.shape)
        self._default_interval_ns = int(1e9 / spec.rate_hz) if spec.rate_hz > 0 else 0
        self._control[_C_CAPACITY] = capacity
        self._control[_C_INTERVAL] = self._default_interval_ns
        self._header[_F_H], self._header[_F_W] = self.shape[0], self.shape[1]
        self._header[_F_C] = self.shape[2] if len(self.shape) > 2 else 1
        self._header[_F_DTYPE] = _dtype_code(self.dtype)
        self._control[_C_MAGIC] = _MAGIC  # last: a reader that sees it sees a complete layout
        self._next_due_ns = 0
        self._every = 0  # the readers' "every", looked at once per interval like the rest of the demand
        self._every_until = 0
        self.published = 0

    @classmethod
    def create(cls, spec: TapSpec, shape: tuple[int, ...], dtype: np.dtype) -> TapWriter:  # type: ignore[type-arg]
        return cls(spec, shape, dtype)

    def offer(
        self,
        frame: np.ndarray,  # type: ignore[type-arg]
        frame_index: int,
        camera_frame_id: int,
        host_time_us: int,
    ) -> bool:
        """Publishes ``frame`` if a reader wants one now; returns whether it did.

        Called for every grabbed frame, so the common answer (not due yet) is one clock read. The
        readers' demand is looked at only once per interval, and only a due frame is resized.
        """
        now = time.monotonic_ns()
        if self._every and frame_index >= 0 and frame_index % self._every == 0 and now < self._every_until:
            self._publish(frame, frame_index, camera_frame_id, host_time_us, now)
            return True
        if now < self._next_due_ns:
            return False
        self._every = int(self._control[_C_EVERY])
        self._every_until = int(self._control[_C_EVERY_UNTIL])
        wanted = int(self._control[_C_WANT_INTERVAL])
        interval = wanted if wanted > 0 else self._default_interval_ns
        if now >= int(self._control[_C_DEMAND_UNTIL]):
            # Nobody is watching: look again one interval from now (at most 10 times a second).
            self._next_due_ns = now + max(interval, 100_000_000)
            return False
        self._next_due_ns = now + interval
        self._publish(frame, frame_index, camera_frame_id, host_time_us, now)
        return True

    def _publish(
        self,
        frame: np.ndarray,  # type: ignore[type-arg]
        frame_index: int,
        camera_frame_id: int,
        host_time_us: int,
        now: int,
    ) -> None:
        header = self._header
        seq = int(header[_F_SEQ])
        header[_F_SEQ] = seq + 1  # odd: a write is under way
        if frame.shape == self.shape:
            self._pixels[...] = frame
        else:
            import cv2

            size = (self.shape[1], self.shape[0])
            resized = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
            self._pixels[...] = resized.reshape(self.shape)
        header[_F_INDEX] = np.int64(frame_index).view(np.uint64)
        header[_F_ID] = np.int64(camera_frame_id).view(np.uint64)
        header[_F_HOST] = max(0, host_time_us)
        header[_F_PUBLISHED] = now
        header[_F_SEQ] = seq + 2  # even: complete
        self.published += 1

    def close(self, unlink: bool = True) -> None:
        del self._control, self._header, self._pixels
        self._map.close()
        if unlink:
            unlink_tap(self.name)


def open_tap(spec: TapSpec | None, shape: tuple[int, ...], dtype: np.dtype) -> TapWriter | None:  # type: ignore[type-arg]
    """The writer for ``spec``, or None when there is none or /dev/shm refuses one: a camera records
    whether or not anyone can watch it."""
    if spec is None:
        return None
    try:
        return TapWriter(spec, shape, dtype)
    except OSError:
        return None


class TapReader:
    """A read-only view of one tap; any number of readers, in any process of the same user."""

    def __init__(self, name: str, descriptor: int) -> None:
        self.name = name
        size = os.fstat(descriptor).st_size
        # The control page is the only part a reader may write (its demand); the frame is read-only.
        self._control_map = mmap.mmap(descriptor, _PAGE, access=mmap.ACCESS_WRITE)
        self._frame_map = mmap.mmap(descriptor, size - _PAGE, access=mmap.ACCESS_READ, offset=_PAGE)
        self._control = np.frombuffer(self._control_map, dtype=np.uint64, count=8)
        self._header = np.frombuffer(self._frame_map, dtype=np.uint64, count=9)
        self.dtype = _dtype_from(int(self._header[_F_DTYPE]))
        height, width, channels = (int(self._header[i]) for i in (_F_H, _F_W, _F_C))
        self.shape: tuple[int, ...] = (height, width) if channels == 1 else (height, width, channels)
        count = int(np.prod(self.shape))
        self._pixels = np.frombuffer(self._frame_map, dtype=self.dtype, count=count, offset=_HEADER).reshape(self.shape)

    @classmethod
    def attach(cls, name: str) -> TapReader | None:
        """The tap called ``name``, or None while its writer has not finished creating it."""
        try:
            descriptor = os.open(_SHM / name, os.O_RDWR | os.O_NOFOLLOW)
        except OSError:
            return None
        try:
            if os.fstat(descriptor).st_size <= _PAGE + _HEADER:
                return None
            probe = mmap.mmap(descriptor, _PAGE, access=mmap.ACCESS_READ)
            try:
                ready = int.from_bytes(probe[:8], "little") == _MAGIC
            finally:
                probe.close()
            return cls(name, descriptor) if ready else None
        finally:
            os.close(descriptor)

    def want(self, seconds: float = 2.0, rate_hz: float | None = None, every: int | None = None) -> None:
        """Ask the writer for frames until ``seconds`` from now; ``rate_hz`` overrides its default.

        Several readers share the words: the latest ask wins, which is enough for a preview and an
        analysis process that ask at the same rate."""
        until = time.monotonic_ns() + int(seconds * 1e9)
        if every is not None:  # every N-th saved frame instead of a rate (analysis): its own words
            self._control[_C_EVERY] = max(0, every)
            self._control[_C_EVERY_UNTIL] = until
            return
        if until > int(self._control[_C_DEMAND_UNTIL]):
            self._control[_C_DEMAND_UNTIL] = until
        if rate_hz is not None:
            self._control[_C_WANT_INTERVAL] = int(1e9 / rate_hz) if rate_hz > 0 else 0

    @property
    def seq(self) -> int:
        """Even; grows by 2 per published frame (0: none yet). Cheap test for a new frame."""
        return int(self._header[_F_SEQ]) & ~1

    def latest(self) -> TapFrame | None:
        """A consistent copy of the latest published frame, or None if none was published yet (or
        the writer kept overwriting it through every attempt, which a 10 fps tap never does)."""
        header = self._header
        for _ in range(_READ_ATTEMPTS):
            before = int(header[_F_SEQ])
            if before == 0:
                return None
            if before & 1:
                time.sleep(0)
                continue
            values = header.copy()
            pixels = self._pixels.copy()
            if int(header[_F_SEQ]) == before:
                return TapFrame(
                    seq=before,
                    frame_index=int(values[_F_INDEX].view(np.int64)),
                    camera_frame_id=int(values[_F_ID].view(np.int64)),
                    host_time_us=int(values[_F_HOST]),
                    published_ns=int(values[_F_PUBLISHED]),
                    pixels=pixels,
                )
        return None

    def close(self) -> None:
        del self._control, self._header, self._pixels
        self._control_map.close()
        self._frame_map.close()
