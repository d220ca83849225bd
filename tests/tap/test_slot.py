"""The tap between processes: a writer that publishes flat out and a reader in another process
that must never get a frame whose pixels and header disagree."""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Any

import numpy as np

from camera_daemon.cameras.framecode import draw_counter, read_counter
from camera_daemon.tap import TapReader, TapSpec, TapWriter, unlink_tap

SHAPE = (480, 640)


def _name(tag: str) -> str:
    return f"camd-test-tap-{os.getpid()}-{tag}"


def _write_flat_out(name: str, done: Any, started: Any) -> None:
    """Every frame is one value everywhere, equal to its index: a torn copy mixes two values."""
    writer = TapWriter.create(TapSpec(name, width=SHAPE[1], rate_hz=0), SHAPE, np.dtype(np.uint16))
    frame = np.zeros(SHAPE, dtype=np.uint16)
    started.set()
    index = 0
    while not done.is_set():
        index += 1
        frame.fill(index & 0xFFFF)
        writer.offer(frame, index, index, index * 10)
    writer.close(unlink=False)


def _read_and_check(name: str, wanted: int, results: Any) -> None:
    """Reads until ``wanted`` distinct frames came through (or a minute passed on a busy machine)."""
    reader = None
    while reader is None:
        reader = TapReader.attach(name)
    reader.want(seconds=60, rate_hz=0)
    good = torn = 0
    seqs: set[int] = set()
    deadline = time.monotonic() + 60
    while len(seqs) < wanted and time.monotonic() < deadline:
        frame = reader.latest()
        if frame is None:
            continue
        values = np.unique(frame.pixels)
        agree = len(values) == 1 and int(values[0]) == frame.frame_index & 0xFFFF
        if not agree or frame.camera_frame_id != frame.frame_index:
            torn += 1
        else:
            good += 1
        seqs.add(frame.seq)
    reader.close()
    results.put((good, torn, len(seqs)))


def test_a_reader_in_another_process_never_gets_a_torn_frame() -> None:
    context = multiprocessing.get_context("spawn")
    name = _name("torn")
    started, done = context.Event(), context.Event()
    results = context.Queue()
    writer = context.Process(target=_write_flat_out, args=(name, done, started))
    writer.start()
    try:
        assert started.wait(60)
        reader = context.Process(target=_read_and_check, args=(name, 300, results))
        reader.start()
        good, torn, distinct = results.get(timeout=120)
        reader.join(10)
    finally:
        done.set()
        writer.join(30)
        unlink_tap(name)
    assert torn == 0
    # The reader kept getting new frames while the writer overwrote them flat out (a writer that never
    # pauses makes most copies retry on a loaded machine, so only progress is asserted, not a rate).
    assert distinct >= 10
    assert good >= distinct


def test_nothing_is_published_until_a_reader_asks() -> None:
    name = _name("demand")
    writer = TapWriter.create(TapSpec(name, width=320, rate_hz=1000), SHAPE, np.dtype(np.uint8))
    try:
        reader = TapReader.attach(name)
        assert reader is not None
        frame = np.zeros(SHAPE, dtype=np.uint8)
        for index in range(200):
            writer.offer(frame, index, index, index)
        assert writer.published == 0 and reader.latest() is None and reader.seq == 0
        reader.want(seconds=5)
        draw_counter(frame, 123456)
        deadline = time.monotonic() + 1.0  # the unwatched writer looks at the demand every 100 ms
        while not writer.offer(frame, 7, 8, 9):
            assert time.monotonic() < deadline
        got = reader.latest()
        assert got is not None
        assert got.pixels.shape == (240, 320)
        assert (got.frame_index, got.camera_frame_id, got.host_time_us) == (7, 8, 9)
        assert read_counter(got.pixels) == 123456  # the frame code survives the downscale
        reader.close()
    finally:
        writer.close()
    assert TapReader.attach(name) is None  # closed and unlinked: nothing left in /dev/shm


def test_a_colour_tap_keeps_its_channels_and_the_rate_limits_publishing() -> None:
    name = _name("rate")
    shape = (480, 640, 3)
    writer = TapWriter.create(TapSpec(name, width=160, rate_hz=20), shape, np.dtype(np.uint8))
    try:
        reader = TapReader.attach(name)
        assert reader is not None and reader.shape == (120, 160, 3)
        reader.want(seconds=5)
        frame = np.full(shape, 200, dtype=np.uint8)
        deadline = time.monotonic() + 1.0
        while not writer.offer(frame, 0, 0, 0):
            assert time.monotonic() < deadline
        writer.published = 0
        start = time.monotonic()
        offered = 0
        while offered < 2000 or time.monotonic() - start < 1.0:
            writer.offer(frame, offered, offered, offered)
            offered += 1
        elapsed = time.monotonic() - start
        assert 5 <= writer.published <= 20 * elapsed + 1  # 20 a second at most, not one per offered frame
        assert offered > 50 * writer.published
        got = reader.latest()
        assert got is not None and got.pixels.shape == (120, 160, 3) and int(got.pixels.mean()) == 200
        reader.close()
    finally:
        writer.close()


def test_a_reader_attaching_after_frames_were_published_reads_the_layout() -> None:
    """An analysed camera's tap (whole frames, every N-th frame) is already publishing when the
    preview's reader attaches: that reader must still see the shape and dtype, and both get frames."""
    name = _name("late")
    writer = TapWriter.create(TapSpec(name, width=0, rate_hz=10), SHAPE, np.dtype(np.uint8))
    try:
        analysis = TapReader.attach(name)
        assert analysis is not None
        analysis.want(seconds=30, every=2)
        frame = np.full(SHAPE, 0x10, dtype=np.uint8)
        deadline = time.monotonic() + 1.0  # the writer looks at the demand every 100 ms
        index = 0
        while writer.published == 0:
            assert time.monotonic() < deadline
            index += 2
            writer.offer(frame, index, index, index)
        preview = TapReader.attach(name)
        assert preview is not None
        assert (preview.shape, preview.dtype) == (SHAPE, np.dtype(np.uint8))
        preview.want(seconds=30, rate_hz=10)
        draw_counter(frame, 4242)
        writer.offer(frame, index + 2, 1, 1)
        for reader in (analysis, preview):
            got = reader.latest()
            assert got is not None and got.frame_index == index + 2 and read_counter(got.pixels) == 4242
            reader.close()
    finally:
        writer.close()
