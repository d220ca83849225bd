from __future__ import annotations

import threading

import numpy as np

from camera_daemon.config import BufferConfig
from camera_daemon.daemon.ring import FrameRing
from camera_daemon.daemon.worker import ring_capacity


def test_ring_is_fifo_and_reports_full():
    ring = FrameRing(3, (2, 2), np.uint8)
    for value in range(3):
        slot = ring.free_slot(wait=False)
        assert slot is not None
        ring.frames[slot] = value
        ring.commit(value, value + 1, -1)
    assert ring.free_slot(wait=False) is None
    assert ring.depth == 3
    seen = []
    while (slot := ring.next_filled(timeout_s=0)) is not None:
        seen.append(int(ring.frames[slot][0, 0]))
        ring.release()
    assert seen == [0, 1, 2]


def test_waiting_grabber_wakes_when_the_encoder_frees_a_slot():
    ring = FrameRing(2, (1,), np.uint8)
    for value in range(2):
        ring.free_slot(wait=False)
        ring.commit(value, value + 1, -1)
    got: list[int | None] = []
    waiter = threading.Thread(target=lambda: got.append(ring.free_slot(wait=True, timeout_s=10)))
    waiter.start()
    ring.next_filled(timeout_s=0)
    ring.release()
    waiter.join(timeout=10)
    assert got == [0]


def test_ring_capacity_is_bounded_by_time_and_memory():
    assert ring_capacity(BufferConfig(seconds=2, max_megabytes=256), 640 * 480, 30) == 61
    assert ring_capacity(BufferConfig(seconds=60, max_megabytes=1), 640 * 480, 200) == 3
