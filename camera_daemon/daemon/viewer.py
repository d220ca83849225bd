"""Cameras shown without recording (``camd preview``): for aiming and focusing before a session.

One process per camera, as when recording, so a camera that blocks in its driver holds up only its
own tile; each grabs into a single frame buffer and offers it to its tap. Nothing is encoded,
logged or written, and no session folder exists.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from typing import Any

import numpy as np

from camera_daemon.cameras.base import EndOfStream
from camera_daemon.config import CameraConfig, SessionConfig
from camera_daemon.daemon.status import CameraStatus, Field, WorkerState, new_status_row, read_row
from camera_daemon.tap import TapSpec, open_tap, unlink_tap
from camera_daemon.timing.clock import HostClock


def show_camera(camera_config: CameraConfig, tap: TapSpec, row: Any, stop: Any, errors: Any) -> None:
    """Process entry point: grab until stop, the source ends, or the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the viewer decides when to stop, not the terminal
    from camera_daemon.cameras.factory import create_camera

    row[Field.pid] = os.getpid()
    row[Field.state] = WorkerState.starting
    parent = os.getppid()
    camera = create_camera(camera_config)
    try:
        camera.open()
    except Exception as error:
        row[Field.state] = WorkerState.failed
        errors.put((camera_config.name, str(error).splitlines()[0] if str(error) else type(error).__name__))
        return
    geometry = camera.geometry
    frame = np.zeros(geometry.shape, dtype=geometry.pixel_format.dtype)
    writer = open_tap(tap, geometry.shape, np.dtype(geometry.pixel_format.dtype))
    clock = HostClock()
    acquired = 0
    try:
        while not stop.is_set() and (acquired % 64 or os.getppid() == parent):
            try:
                info = camera.read(frame)
            except EndOfStream:
                break
            now_us = clock.now_us()
            acquired += 1
            row[Field.frames_acquired] = acquired
            row[Field.last_host_time_us] = now_us
            row[Field.state] = WorkerState.lost if getattr(camera, "lost", False) else WorkerState.recording
            if writer is not None:
                writer.offer(frame, -1, info.camera_frame_id, now_us)
        row[Field.state] = WorkerState.finished
    except Exception as error:
        row[Field.state] = WorkerState.failed
        errors.put((camera_config.name, str(error).splitlines()[0] if str(error) else type(error).__name__))
    finally:
        camera.close()
        if writer is not None:
            writer.close()


class Viewer:
    def __init__(self, config: SessionConfig) -> None:
        self.config = config
        self._context = multiprocessing.get_context("forkserver")
        self._errors = self._context.Queue()
        self._stop = self._context.Event()
        self._cameras: list[tuple[CameraConfig, TapSpec, Any, Any]] = []
        self._rates: dict[str, tuple[float, float, float]] = {}
        self.started_at = time.time()

    def start(self) -> None:
        preview = self.config.preview
        for number, camera in enumerate(self.config.cameras, start=1):
            tap = TapSpec(f"camd-tap-{os.getpid()}-{number}", width=preview.width, rate_hz=preview.rate)
            row = new_status_row(self._context)
            process = self._context.Process(
                target=show_camera, args=(camera, tap, row, self._stop, self._errors), name=f"camd-view-{camera.name}"
            )
            process.start()
            self._cameras.append((camera, tap, row, process))

    def taps(self) -> dict[str, str]:
        return {camera.name: tap.name for camera, tap, _, _ in self._cameras}

    def failures(self) -> list[tuple[str, str]]:
        found = []
        with contextlib.suppress(Exception):
            while not self._errors.empty():
                found.append(self._errors.get_nowait())
        return found

    @property
    def all_ended(self) -> bool:
        return all(not process.is_alive() for _, _, _, process in self._cameras)

    def status(self) -> dict[str, Any]:
        """The shape of ``camd status --json``; nothing is written, so frames_written stays 0."""
        return {
            "session": "",
            "state": "stopping" if self._stop.is_set() else "previewing",
            "pid": os.getpid(),
            "uptime_s": round(time.time() - self.started_at, 3),
            "cameras": [self._camera_status(camera, row, process) for camera, _, row, process in self._cameras],
            "logger_alive": True,
            "logger_error": None,
            "journal_error": None,
            "disk_free_bytes": None,
            "disk_seconds_left": None,
            "error": None,
        }

    def _camera_status(self, camera: CameraConfig, row: Any, process: Any) -> dict[str, Any]:
        values = read_row(row)
        now = time.monotonic()
        mark_time, mark_frames, fps = self._rates.get(camera.name, (now, 0.0, 0.0))
        if now - mark_time >= 0.5:
            fps = (values["frames_acquired"] - mark_frames) / (now - mark_time)
            mark_time, mark_frames = now, values["frames_acquired"]
        self._rates[camera.name] = (mark_time, mark_frames, fps)
        state = WorkerState(int(values["state"])).name
        if not process.is_alive() and state not in ("finished", "failed"):
            state = "failed"
        state = "live" if state == "recording" else state  # shown, never recorded
        seconds = values["last_host_time_us"] / 1e6
        acquired = int(values["frames_acquired"])
        status = CameraStatus(
            name=camera.name, state=state, fps_current=round(fps, 2),
            fps_mean=round(acquired / seconds, 2) if seconds > 0 else 0.0,
            frames_written=0, frames_acquired=acquired, timestamps_logged=0, drops_buffer=0, drops_frame_id_gap=0,
            ring_depth=0, ring_capacity=0, encoder_alive=False, seconds_recorded=round(seconds, 3), paused=False,
            pid=int(values["pid"]), encoder_pid=0,
        )  # fmt: skip
        return status.as_dict()

    def act(self, command: str) -> dict[str, Any]:
        if command == "stop":
            self._stop.set()
            return {"ok": True, "state": "stopping"}
        return {"ok": False, "error": f"nothing is recorded in camd preview, so there is nothing to {command}"}

    def stop(self) -> None:
        self._stop.set()
        for _, tap, _, process in self._cameras:
            process.join(2.0)
            if process.is_alive():  # a camera stuck in its driver: a preview has nothing to finish
                process.kill()
                process.join()
            unlink_tap(tap.name)

    @property
    def stop_requested(self) -> bool:
        return bool(self._stop.is_set())
