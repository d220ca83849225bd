"""The process that records one camera: grab into the ring, encode from the ring, log the times.

Two threads share the ring. The grabbing thread never waits on ffmpeg: a live camera whose ring is
full loses that frame, and the loss is counted. The encoder thread writes a frame to ffmpeg and
only then logs its timestamp, so the log's order is the video's order and a frame the encoder
never got has no timestamp.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from camera_daemon.analysis.stamp import stamper_for
from camera_daemon.cameras.base import Camera, EndOfStream
from camera_daemon.config import BufferConfig, CameraConfig, EncoderConfig
from camera_daemon.daemon.disk import DiskFullError, free_bytes, looks_full, mib, release_reserve
from camera_daemon.daemon.ring import FrameRing
from camera_daemon.daemon.status import Field, WorkerState
from camera_daemon.daemon.worker_result import cpu_use, worker_result, write_result
from camera_daemon.encoding.command import build_command
from camera_daemon.encoding.encoder import FfmpegEncoder
from camera_daemon.encoding.timed_stream import tick_us
from camera_daemon.errors import CamdError, CameraError, EncoderError
from camera_daemon.safe_write import write_text_atomic
from camera_daemon.tap import TapSpec, open_tap
from camera_daemon.timing.batcher import TimestampBatcher
from camera_daemon.timing.clock import HostClock


@dataclass(frozen=True)
class WorkerSpec:
    camera: CameraConfig
    encoder: EncoderConfig
    buffer: BufferConfig
    source_id: int
    video_path: Path
    logs_dir: Path
    reserve_path: Path | None = None
    duration_s: float = 0.0  # 0: until stopped
    tap: TapSpec | None = None  # the shared-memory slot watchers read (tap/slot.py)


@dataclass
class WorkerLinks:
    """What the supervisor shares with one worker: its log pipe, events and the status row."""

    log_channel: Any
    stop: Any
    pause: Any
    status: Any
    session_start: Any = None  # shared double: UTC µs of the session's first frame, 0 until one is taken


# How long a stop waits for a camera's read to return before the files are finished without it.
_GRAB_GRACE_S = 0.2


def ring_capacity(buffer: BufferConfig, frame_bytes: int, fps: float) -> int:
    by_time = int(buffer.seconds * (fps if fps > 0 else 30)) + 1
    by_memory = (buffer.max_megabytes << 20) // max(1, frame_bytes)
    return max(2, min(by_time, by_memory))


class _Recording:
    def __init__(self, spec: WorkerSpec, links: WorkerLinks, camera: Camera) -> None:
        self.spec = spec
        self.links = links
        self.camera = camera
        self.status = links.status
        geometry = camera.geometry
        capacity = ring_capacity(spec.buffer, geometry.frame_bytes, geometry.nominal_fps)
        self.ring = FrameRing(capacity, geometry.shape, geometry.pixel_format.dtype)
        self.scratch = np.zeros(geometry.shape, dtype=geometry.pixel_format.dtype)
        self.tap = open_tap(spec.tap, geometry.shape, np.dtype(geometry.pixel_format.dtype))
        self.status[Field.ring_capacity] = capacity
        self.clock = HostClock()
        self.status[Field.onset_utc_us] = self.clock.onset_utc_us
        self.batcher = TimestampBatcher(links.log_channel)
        self.batcher.log_onset(self.clock.onset_utc_us)
        self.stamper = stamper_for(spec.camera.stamp, self.clock.onset_utc_us, geometry.height, self.scratch.dtype)
        args = build_command(spec.encoder, geometry, spec.video_path)
        log_path = spec.logs_dir / f"{spec.camera.name}.ffmpeg.log"
        self.encoder = FfmpegEncoder(args, log_path, geometry, tick_us(spec.encoder.container))
        self.grab_done = threading.Event()
        self.error: BaseException | None = None
        self.grab_error: BaseException | None = None
        self.cut_off = False
        self.times: dict[str, float] = {}
        # Room for the frames in flight and the log's next batches: below it the disk counts as full.
        self.margin_bytes = 2 * geometry.frame_bytes + (1 << 20)

    def encode_loop(self) -> None:
        ring, status = self.ring, self.status
        frame_index = 0
        try:
            while True:
                slot = ring.next_filled(timeout_s=0.05)
                if slot is None:
                    if self.grab_done.is_set() and ring.depth == 0:
                        break
                    self.batcher.flush_if_due(self.clock.now_us())
                    self._report_lost()
                    if not self.encoder.alive:  # a slow camera must not hide a dead encoder until its next frame
                        raise EncoderError(f"ffmpeg exited early: {self.encoder.stderr_tail()}")
                    continue
                if free_bytes(self.spec.video_path.parent) < self.margin_bytes:
                    # Stop a frame before ENOSPC rather than at it: whichever writer meets ENOSPC
                    # first dies, and if that is the timestamp logger, logged times are lost.
                    raise EncoderError("the disk is about to fill")
                host_time_us = int(ring.host_time_us[slot])
                if self.stamper is not None:
                    self.stamper.draw(ring.frames[slot], frame_index, host_time_us, ring.depth, ring.capacity)
                self.encoder.write(memoryview(ring.frames[slot]), host_time_us)
                status[Field.lateness_last_us] = lag_us = self.clock.now_us() - host_time_us
                status[Field.lateness_max_us] = max(status[Field.lateness_max_us], lag_us)
                frame_id, device_time_ns = int(ring.camera_frame_id[slot]), int(ring.device_time_ns[slot])
                self.batcher.add(frame_index, frame_id, host_time_us, device_time_ns)
                ring.release()
                frame_index += 1
                status[Field.frames_written] = frame_index
                status[Field.timestamps_logged] = self.batcher.logged
                status[Field.ring_depth] = ring.depth
        except BaseException as error:
            self.times["encoder_failed_utc"] = time.time()
            self.error = self.disk_full() if isinstance(error, EncoderError) else None
            self.error = self.error or error
            ring.close()
        finally:
            self.batcher.flush()
            status[Field.timestamps_logged] = self.batcher.logged

    def disk_full(self) -> DiskFullError | None:
        """An encoder that died on a full disk: give the reserve back at once, so the other cameras'
        last clusters, the log and the tables have room, and tell the supervisor to stop them."""
        video = self.spec.video_path
        if not looks_full(video.parent, self.spec.reserve_path, self.margin_bytes):
            return None
        release_reserve(self.spec.reserve_path)
        self.status[Field.disk_full] = 1.0
        try:
            left = mib(free_bytes(video.parent))
        except OSError:
            left = "no space"
        return DiskFullError(f"disk full: ffmpeg could not write {video.name} ({left} left on {video.parent})")

    def run_grab(self) -> bool:
        """Grabs in a daemon thread until the source ends, stop is asked or the encoder failed.

        Returns False when the camera was still inside ``read`` a grace after the stop: a frozen
        URL or a stalled producer can block for half a minute, and the frames so far must not wait
        for it. The thread is then left behind and the process ends without closing the camera.
        """
        thread = threading.Thread(target=self._grab_guarded, name="grab", daemon=True)
        thread.start()
        # is_set() and a sleep, never stop.wait(): a worker SIGKILLed inside a multiprocessing wait
        # leaves the event's condition waiting for a wake-up that never comes, and set() hangs.
        while thread.is_alive() and self.error is None and not self.links.stop.is_set():
            time.sleep(0.02)
        interrupt = getattr(self.camera, "interrupt", None)
        if callable(interrupt):
            interrupt()
        thread.join(_GRAB_GRACE_S)
        self.cut_off = thread.is_alive()
        self.times["grab_ended_utc"] = time.time()
        if self.grab_error is not None:
            raise self.grab_error
        return not self.cut_off

    def _grab_guarded(self) -> None:
        try:
            self.grab_loop()
        except BaseException as error:
            self.grab_error = error

    def _report_lost(self) -> None:
        """A backend that is reconnecting blocks in read(); this thread is the one that can say so."""
        state = self.status[Field.state]
        if getattr(self.camera, "lost", False):
            if state == WorkerState.recording:
                self.status[Field.state] = WorkerState.lost
        elif state == WorkerState.lost:
            self.status[Field.state] = WorkerState.recording

    def _past_duration(self, utc_us: int) -> bool:
        """A session's duration counts from its first frame, whichever camera took it: every worker
        lowers the shared start to its own first frame, and ends itself once a frame is later than
        start + duration. The workers, not the supervisor, decide, because the supervisor may still
        be starting the logger (seconds under load) while the first frames are being saved."""
        shared = self.links.session_start
        if shared is None or self.spec.duration_s <= 0:
            return False
        with shared.get_lock():
            if shared.value == 0 or utc_us < shared.value:
                shared.value = utc_us
            start = float(shared.value)
        return utc_us > start + self.spec.duration_s * 1e6

    def grab_loop(self) -> None:
        camera, ring, status, links = self.camera, self.ring, self.status, self.links
        wait_for_space = not camera.live
        parent = os.getppid()
        previous_id = -1
        acquired = drops = gaps = paused_frames = saved = 0
        while not links.stop.is_set() and self.error is None:
            if acquired % 64 == 0 and os.getppid() != parent:
                break  # the supervisor is gone: finish the files rather than record forever
            slot = ring.free_slot(wait=wait_for_space)
            if slot is None and wait_for_space:
                continue
            target = ring.frames[slot] if slot is not None else self.scratch
            try:
                info = camera.read(target)
            except EndOfStream:
                break
            if self.cut_off:
                break  # the files were finished while this read was blocked: the frame has no place
            host_time_us = self.clock.now_us()
            if self._past_duration(self.clock.onset_utc_us + host_time_us):
                break  # the session's duration is over: this frame is past its end, so it is not saved
            acquired += 1
            if info.camera_frame_id >= 0 and previous_id >= 0 and info.camera_frame_id > previous_id + 1:
                gaps += info.camera_frame_id - previous_id - 1
            previous_id = info.camera_frame_id if info.camera_frame_id >= 0 else previous_id
            index = -1  # the frame's row in the video, for watchers; -1 when it is not saved
            if links.pause.is_set():
                paused_frames += 1
            elif slot is None:
                drops += 1
            else:
                ring.commit(info.camera_frame_id, host_time_us, info.device_time_ns)
                index, saved = saved, saved + 1
            if self.tap is not None:  # one clock read unless a watcher is due a frame
                self.tap.offer(target, index, info.camera_frame_id, host_time_us)
            status[Field.frames_acquired] = acquired
            status[Field.drops_buffer] = drops
            status[Field.drops_frame_id_gap] = gaps
            extra = getattr(camera, "extra_drops", None)
            if extra:
                status[Field.drops_missed_trigger] = extra.get("missed_trigger", 0)
                status[Field.drops_incomplete] = extra.get("incomplete", 0)
            status[Field.paused_frames] = paused_frames
            status[Field.paused] = 1.0 if links.pause.is_set() else 0.0
            status[Field.last_host_time_us] = host_time_us
            status[Field.ring_depth] = ring.depth
            status[Field.ring_high_water] = max(status[Field.ring_high_water], ring.depth)
            status[Field.schedule_lag_max_us] = getattr(camera, "max_schedule_lag_us", 0)
            if status[Field.state] == WorkerState.starting and status[Field.frames_written] > 0:
                status[Field.state] = WorkerState.recording


def _stderr_to_log(path: Path) -> None:
    """The user's terminal carries camd's one line per failure, not what a backend's native code
    (OpenCV's warnings, a driver's chatter) or a dying worker prints: fd 2 itself goes to the log, so
    C libraries writing to it directly land there too."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError:
        return  # no room for a log: a noisy terminal beats a camera that does not record
    sys.stderr.flush()
    os.dup2(descriptor, 2)
    os.close(descriptor)


def run_worker(spec: WorkerSpec, links: WorkerLinks, session_lock: object = None) -> None:
    """Process entry point. Exit code 0: files final; 1: failed, with the reason in the result file.

    ``session_lock`` is only held: while this process lives the session counts as being recorded,
    even after its supervisor died (session/lock.py).
    """
    started = time.monotonic()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor decides when to stop, not the terminal
    _stderr_to_log(spec.logs_dir / f"{spec.camera.name}.worker.log")
    # Grab, encode and a backend's own acquisition thread share one interpreter: hand the GIL over
    # within 0.5 ms instead of Python's default 5 ms, so a frame waiting in the driver is not held up.
    sys.setswitchinterval(0.0005)
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:
        pass
    status = links.status
    status[Field.pid] = os.getpid()
    status[Field.state] = WorkerState.starting
    from camera_daemon.cameras.factory import create_camera

    camera = create_camera(spec.camera)
    recording: _Recording | None = None
    error: BaseException | None = None
    finished = True
    try:
        if not _open_before_stop(camera, links):
            finished = False  # the opening thread is still inside the driver: leave it there
            raise CameraError("camera did not open before stop")
        recording = _Recording(spec, links, camera)
        recording.encoder.start()
        status[Field.encoder_pid] = recording.encoder.pid
        status[Field.encoder_alive] = 1.0
        encoder_thread = threading.Thread(target=recording.encode_loop, name="encode", daemon=True)
        encoder_thread.start()
        try:
            finished = recording.run_grab()
        finally:
            status[Field.state] = WorkerState.stopping if recording.error is None else WorkerState.failed
            recording.grab_done.set()
            encoder_thread.join()
            exit_code = recording.encoder.close()
            status[Field.encoder_alive] = 0.0
        error = recording.error
        if error is None and exit_code != 0:
            error = recording.disk_full() or CamdError(
                f"ffmpeg exited with code {exit_code}: {recording.encoder.stderr_tail()}"
            )
    except BaseException as caught:
        error = caught
    finally:
        if finished:  # a camera still blocked in read() could block in close() as well
            camera.close()
        if recording is not None and recording.tap is not None and finished:
            recording.tap.close()
    result = worker_result(spec.camera.name, status, camera if recording is not None else None, error)
    result.update(recording.times if recording is not None else {})
    result.update(cpu_use(started))
    write_result(spec.logs_dir / f"{spec.camera.name}.worker.json", result)
    status[Field.state] = WorkerState.failed if error is not None else WorkerState.finished
    if error is not None and not isinstance(error, CamdError):
        text = "".join(traceback.format_exception(error))
        with contextlib.suppress(OSError):
            write_text_atomic(spec.logs_dir / f"{spec.camera.name}.traceback.txt", text)
    if not finished:
        os._exit(1 if error is not None else 0)  # the grab thread is stuck in the driver: do not wait for it
    if error is not None:
        raise SystemExit(1)


def _open_before_stop(camera: Camera, links: WorkerLinks) -> bool:
    """Opens the camera in a daemon thread and returns False if stop came first: a URL that accepts
    and never answers holds ``open`` for OpenCV's 30 s timeout, and a stop must not wait for it."""
    failure: list[BaseException] = []

    def open_camera() -> None:
        try:
            camera.open()
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=open_camera, name="open", daemon=True)
    thread.start()
    while thread.is_alive() and not links.stop.is_set():  # is_set(), never wait(): see run_grab
        time.sleep(0.02)
    if failure:
        raise failure[0]
    return not thread.is_alive()
