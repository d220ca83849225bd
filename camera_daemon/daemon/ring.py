"""A bounded, preallocated ring of frames between the grabbing thread and the encoder thread.

Memory is reserved once at start, so a session of hours uses what a session of seconds does. The
grabber writes pixels straight into a slot; when every slot is taken the caller decides whether to
wait (a file can wait) or drop (a live camera cannot).
"""

from __future__ import annotations

import threading

import numpy as np


class FrameRing:
    def __init__(self, capacity: int, shape: tuple[int, ...], dtype: type[np.generic]) -> None:
        if capacity < 2:
            raise ValueError("a frame ring needs at least two slots")
        self.capacity = capacity
        self.frames = np.zeros((capacity, *shape), dtype=dtype)
        self.camera_frame_id = np.zeros(capacity, dtype=np.int64)
        self.host_time_us = np.zeros(capacity, dtype=np.uint64)
        self.device_time_ns = np.zeros(capacity, dtype=np.int64)
        self._written = 0  # slots filled by the grabber, ever
        self._consumed = 0  # slots released by the encoder thread, ever
        self._closed = False
        self._condition = threading.Condition()

    @property
    def depth(self) -> int:
        return self._written - self._consumed

    def free_slot(self, wait: bool, timeout_s: float = 0.1) -> int | None:
        """Index of the slot the next frame goes into, or None if the ring is full (or closed)."""
        with self._condition:
            if wait:
                self._condition.wait_for(lambda: self.depth < self.capacity or self._closed, timeout=timeout_s)
            if self.depth >= self.capacity or self._closed:
                return None
            return self._written % self.capacity

    def commit(self, camera_frame_id: int, host_time_us: int, device_time_ns: int) -> None:
        """Publish the frame written into the slot ``free_slot`` returned."""
        slot = self._written % self.capacity
        self.camera_frame_id[slot] = camera_frame_id
        self.host_time_us[slot] = host_time_us
        self.device_time_ns[slot] = device_time_ns
        with self._condition:
            self._written += 1
            self._condition.notify_all()

    def next_filled(self, timeout_s: float) -> int | None:
        """Slot of the oldest unconsumed frame, waiting up to ``timeout_s``; None if none came."""
        with self._condition:
            self._condition.wait_for(lambda: self.depth > 0, timeout=timeout_s)
            if self.depth == 0:
                return None
            return self._consumed % self.capacity

    def release(self) -> None:
        with self._condition:
            self._consumed += 1
            self._condition.notify_all()

    def close(self) -> None:
        """Wake a grabber waiting for space so it can see that the session is ending."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()
