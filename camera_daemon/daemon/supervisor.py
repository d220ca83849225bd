"""Owns a session while it records: the timestamp logger, one worker process per camera, and the
step that makes every file final at stop.

The supervisor only starts, watches and stops; frames never pass through it. That keeps it small
and keeps one slow camera from touching another.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from camera_daemon.config import SessionConfig
from camera_daemon.config_toml import config_to_toml
from camera_daemon.daemon import analysis_runner as analysis
from camera_daemon.daemon.disk import DiskFullError, DiskGuard, is_disk_full
from camera_daemon.daemon.health import HealthLog
from camera_daemon.daemon.logger_guard import LoggerGuard, sweep_earlier_sessions
from camera_daemon.daemon.outcome import SessionEnding, camera_entry, close_manifest
from camera_daemon.daemon.runtime import pid_running
from camera_daemon.daemon.status import CameraStatus, Field, WorkerState, new_status_row, read_row, status_of
from camera_daemon.daemon.worker import WorkerLinks, WorkerSpec, run_worker
from camera_daemon.daemon.worker_server import boot_worker_server, worker_context
from camera_daemon.encoding.command import video_suffix
from camera_daemon.errors import CameraError
from camera_daemon.safe_write import write_text_atomic
from camera_daemon.session.finalize import WorkerOutcome
from camera_daemon.session.folder import NOTHING_RECORDED, SessionFolder
from camera_daemon.session.manifest import base_manifest, write_manifest
from camera_daemon.tap import TapSpec, unlink_tap
from camera_daemon.timing.clock import HostClock
from camera_daemon.timing.forwarder import LogForwarder
from camera_daemon.timing.table import CameraLog, read_journals, read_timestamp_logs

_JOIN_TIMEOUT_S = 60.0


@contextmanager
def _children_ignore_sigint() -> Iterator[None]:
    """Processes spawned inside inherit an ignored SIGINT: Ctrl-C must reach only the supervisor,
    which then stops everything in order, instead of killing the logger mid-write."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _Worker:
    def __init__(self, spec: WorkerSpec, process: Any, links: WorkerLinks) -> None:
        self.spec = spec
        self.process = process
        self.links = links
        self.failed_reason: str | None = None
        self.analysis: analysis.AnalysisRunner | None = None
        self.rate_mark: tuple[float, float] = (time.monotonic(), 0.0)
        self.fps_current = 0.0


class Supervisor:
    def __init__(self, config: SessionConfig, folder: SessionFolder) -> None:
        self.config = config
        self.folder = folder
        # Workers fork from a server that imported the worker code once, instead of each paying a
        # fresh interpreter's imports; the server itself is a clean process, so no thread or lock
        # of the supervisor is inherited. Booted now at the latest (worker_server.py).
        self._context = worker_context()
        boot_worker_server()
        self._forwarder: LogForwarder | None = None
        self._health: HealthLog | None = None
        self._guard = LoggerGuard()
        self._workers: list[_Worker] = []
        self._session_start: Any = None  # UTC µs of the session's first frame, shared with every worker
        # Status requests (control threads) and the recording loop both notice deaths; each failure
        # waits here until the one who logs takes it, so a status request never swallows it.
        self._failures_lock = threading.Lock()
        self._unreported: list[tuple[str, str]] = []
        self._started_utc_us = HostClock().onset_utc_us
        self.manifest: dict[str, Any] = base_manifest(folder.name, self._started_utc_us)
        self.disk = DiskGuard(folder.root, folder.logs, config.disk)
        # Why the whole session stopped early (a full disk, the disk guard); None for a normal stop.
        self.stop_reason: str | None = None

    @property
    def camera_names(self) -> list[str]:
        return [camera.name for camera in self.config.cameras]

    def tap_spec(self, source_id: int) -> TapSpec:
        preview = self.config.preview
        return TapSpec(f"camd-tap-{os.getpid()}-{source_id}", width=preview.width, rate_hz=preview.rate)

    @property
    def taps(self) -> dict[str, str]:
        """Camera name -> its tap's name (tap/slot.py), for the preview page and analysis readers."""
        return {w.spec.camera.name: w.spec.tap.name for w in self._workers if w.spec.tap is not None}

    def start(self, ready_timeout_s: float = 30.0, stop: threading.Event | None = None) -> None:
        """Start every camera and return once each has written a frame, or at once when ``stop``
        is set meanwhile (a camera still opening must not hold up Ctrl-C); raise if one cannot.

        A disk that fills while the cameras start is a full disk like any later one: one
        ``DiskFullError``, and ``stop`` still makes whatever was recorded final.
        """
        try:
            self._start(ready_timeout_s, stop)
        except OSError as error:
            if not is_disk_full(error):
                raise
            where = error.filename or self.folder.root
            self.stop_reason = f"disk full: {where} could not be written while the cameras started ({error.strerror})"
            raise DiskFullError(f"{self.stop_reason}; free space on {self.folder.root.parent}") from None

    def _start(self, ready_timeout_s: float, stop: threading.Event | None) -> None:
        write_text_atomic(self.folder.config, config_to_toml(self.config))
        write_manifest(self.folder.manifest, self.manifest)
        self.disk.reserve()
        sweep_earlier_sessions()
        self._session_start = self._context.Value("d", 0.0)
        with _children_ignore_sigint():
            # Journaling starts before any camera: a crash during the logger's slow start must not
            # take the first second of timestamps with it (forwarder.py).
            self._forwarder = LogForwarder(self.folder.logs)
            self._forwarder.start()
            # Workers next: opening cameras is the slow part of a start, and it overlaps with the
            # logger's own start below. Their first batches are journaled meanwhile.
            for source_id, camera in enumerate(self.config.cameras, start=1):
                spec = WorkerSpec(
                    camera=camera,
                    encoder=self.config.encoder,
                    buffer=self.config.buffer,
                    source_id=source_id,
                    video_path=self.folder.video(camera.name, video_suffix(self.config.encoder)),
                    logs_dir=self.folder.logs,
                    reserve_path=self.disk.reserve_path,
                    duration_s=self.config.session.duration_s,
                    tap=analysis.analysis_tap(self.tap_spec(source_id), camera),
                )
                reader, writer = self._context.Pipe(duplex=False)
                links = WorkerLinks(
                    log_channel=writer,
                    stop=self._context.Event(),
                    pause=self._context.Event(),
                    status=new_status_row(self._context),
                    session_start=self._session_start,
                )
                process = self._context.Process(
                    target=run_worker,
                    args=(spec, links, self.folder.lock),
                    name=f"camd-{camera.name}",
                    daemon=False,
                )
                process.start()
                writer.close()  # the worker holds the only write end now, so its exit means EOF here
                self._forwarder.add_channel(reader, source_id, camera.name)
                self._workers.append(_Worker(spec, process, links))
                self._workers[-1].analysis = analysis.start(self._context, camera, self.folder, links.status, spec.tap)
            self._forwarder.start_logger()
            self._guard.guard(self._forwarder, [w.links for w in self._workers], self.folder.logs)
        self._health = HealthLog(self.folder.logs, [(w.spec.camera.name, w.links.status) for w in self._workers])
        self._health.start()
        self._wait_ready(ready_timeout_s, stop)

    def health(self) -> dict[str, Any]:
        """Session-level health beside the per-camera rows: is the timestamp logger still alive."""
        if self._forwarder is None:
            return {"logger_alive": True, "logger_error": None, "journal_error": None}
        health = self._forwarder.health()
        return {
            "logger_alive": health["alive"],
            "logger_error": health["error"],
            "journal_error": health.get("journal_error"),
        }

    def _wait_ready(self, timeout_s: float, stop: threading.Event | None) -> None:
        deadline = time.monotonic() + timeout_s
        pending = list(self._workers)
        while pending and not (stop is not None and stop.is_set()):
            self._check_disk()
            if self.stop_reason is not None:
                return  # the disk filled while starting: the recording loop ends it like any full disk
            self._notice_deaths()
            for worker in list(pending):
                if worker.failed_reason is not None:
                    name, reason = worker.spec.camera.name, worker.failed_reason
                    raise CameraError(reason if f"'{name}'" in reason else f"camera '{name}' failed to start: {reason}")
                state = worker.links.status[Field.state]
                if state == WorkerState.recording or worker.links.status[Field.frames_written] > 0:
                    pending.remove(worker)
                elif state == WorkerState.finished:
                    pending.remove(worker)  # a short file may end before we look
            if pending and time.monotonic() > deadline:
                names = ", ".join(w.spec.camera.name for w in pending)
                raise CameraError(f"no frame from {names} within {timeout_s:g} s; check the camera source")
            if pending:
                pending[0].process.join(0.02)

    def poll(self) -> list[tuple[str, str]]:
        """Every (camera, reason) failure not yet returned by an earlier call, each exactly once.

        A full disk stops every camera, since each would fail the same way a moment later, and is
        reported once for the session rather than once per camera.
        """
        self._check_disk()
        self._notice_deaths()
        with self._failures_lock:
            reported, self._unreported = self._unreported, []
        return reported

    def _notice_deaths(self) -> None:
        with self._failures_lock:
            for worker in self._workers:
                if worker.failed_reason is not None or worker.process.is_alive():
                    continue
                if worker.process.exitcode == 0:
                    continue
                worker.failed_reason = self._failure_reason(worker)
                worker.links.status[Field.state] = WorkerState.failed
                if self.stop_reason is None or not worker.links.status[Field.disk_full]:
                    self._unreported.append((worker.spec.camera.name, worker.failed_reason))

    def _check_disk(self) -> None:
        if self.stop_reason is not None:
            return
        full = next((w for w in self._workers if w.links.status[Field.disk_full]), None)
        reason = self.disk.check()
        if full is not None:
            video = full.spec.video_path
            reason = f"disk full: camera '{full.spec.camera.name}' could not write {video.name} in {video.parent}"
        if reason is not None:
            self.stop_reason = reason
            for worker in self._workers:
                worker.links.stop.set()

    def _failure_reason(self, worker: _Worker) -> str:
        result = self._result(worker)
        if result and result.get("error"):
            return str(result["error"])
        code = worker.process.exitcode
        if code is not None and code < 0:
            return f"worker process killed by signal {signal.Signals(-code).name}"
        return f"worker process exited with code {code}"

    def _result(self, worker: _Worker) -> dict[str, Any] | None:
        path = self.folder.logs / f"{worker.spec.camera.name}.worker.json"
        try:
            data: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        return data

    @property
    def all_ended(self) -> bool:
        return all(not worker.process.is_alive() for worker in self._workers)

    @property
    def failed_cameras(self) -> list[str]:
        return [w.spec.camera.name for w in self._workers if w.failed_reason is not None]

    def set_paused(self, paused: bool) -> None:
        for worker in self._workers:
            if paused:
                worker.links.pause.set()
            else:
                worker.links.pause.clear()

    def statuses(self) -> list[CameraStatus]:
        self._notice_deaths()
        now = time.monotonic()
        result = []
        for worker in self._workers:
            row = read_row(worker.links.status)
            mark_time, mark_frames = worker.rate_mark
            if now - mark_time >= 0.5:
                worker.fps_current = (row["frames_acquired"] - mark_frames) / (now - mark_time)
                worker.rate_mark = (now, row["frames_acquired"])
            state = WorkerState(int(row["state"])).name if worker.failed_reason is None else "failed"
            alive = worker.process.is_alive()
            # A killed worker cannot clear its own flag: believe it only while both processes run.
            encoder_alive = bool(row["encoder_alive"]) and alive and pid_running(int(row["encoder_pid"]))
            extra = {} if worker.analysis is None else worker.analysis.status_fields(row)
            result.append(
                status_of(worker.spec.camera.name, row, state, worker.fps_current, alive, encoder_alive, extra)
            )
        return result

    def stop(self, exit_state: str = "stopped") -> dict[str, Any]:
        """Stop every camera, wait for final files, and write the manifest. Returns the manifest."""
        if self._health is not None:  # its rows describe the recording, not the processes winding down
            self._health.stop()
        for worker in self._workers:
            worker.links.stop.set()
        for worker in self._workers:
            worker.process.join(_JOIN_TIMEOUT_S)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        self._notice_deaths()
        analysis.stop_all([worker.analysis for worker in self._workers])  # their last frames are in the taps
        for name in self.taps.values():  # a killed worker could not remove its own
            unlink_tap(name)
        # Every camera has stopped writing: the reserve's room goes to the last timestamp batches
        # (journaled on this drain if a full disk held them back), then to tables, manifest and remux.
        self.disk.release()
        if self._forwarder is not None:
            self._forwarder.stop_journaling()
        journaled = self._forwarder is not None and self._forwarder.health().get("journal_error") is None
        logger_stop = threading.Thread(target=self._stop_logger, name="logger-stop")
        if journaled:
            # The journals hold every batch: the DataLogger's own shutdown (its processes end in
            # turn) overlaps with making the files final, and is awaited only to judge its health.
            logger_stop.start()
        else:
            self._stop_logger()  # the tables need the DataLogger's entries: wait until they are on disk
        self._finalize(exit_state, logger_stop if journaled else None)
        return self.manifest

    def _stop_logger(self) -> None:
        if self._forwarder is not None:
            self._forwarder.stop()
        self._guard.release()

    def abandon(self, reason: str) -> dict[str, Any]:
        """Stop after a start that failed. The folder stays, with its logs (the third-party lines
        that explain the failure are there), and its manifest says in one line why it holds no
        recording, so nobody takes it for a session that was lost."""
        manifest = self.stop(exit_state="failed")
        recorded = sum(int(w.links.status[Field.frames_written]) for w in self._workers)
        if recorded == 0 and not manifest.get("error"):
            manifest["error"] = f"{NOTHING_RECORDED}{reason}"
            try:
                write_manifest(self.folder.manifest, manifest)
            except OSError as error:
                manifest["manifest_error"] = f"{self.folder.manifest} not written ({error.strerror})"
        return manifest

    def duration_deadline(self, duration_s: float) -> float | None:
        """When a session of ``duration_s`` ends, on the monotonic clock: counted from the session's
        first saved frame (any camera), not from when the slowest camera was ready, so a 2 s session
        holds 2 s of frames however long the cameras took to open. None until a frame is saved."""
        if duration_s <= 0:
            return None
        start_utc_us = float(self._session_start.value) if self._session_start is not None else 0.0
        if start_utc_us <= 0:
            return None
        # Each worker ends itself on time (worker.py); this bounds a camera blocked in its read.
        return time.monotonic() + (start_utc_us / 1e6 + duration_s - time.time())

    def _finalize(self, exit_state: str, logger_stop: threading.Thread | None = None) -> None:
        # A complete journal holds every batch: reading it alone keeps the stop's cost flat however
        # many DataLogger entries the session made. Cameras are made final side by side.
        # The log is read back only for a camera whose table was not drafted while recording.
        complete = self._forwarder is not None and self.health()["journal_error"] is None
        reader = read_journals if complete else read_timestamp_logs
        read = functools.cache(lambda: reader(self.folder.logs))
        read_lock = threading.Lock()

        def finish(worker: _Worker) -> dict[str, Any]:
            outcome = WorkerOutcome(
                result=self._result(worker),
                exit_code=worker.process.exitcode,
                failed=worker.failed_reason is not None,
                reason=worker.failed_reason,
            )
            row = read_row(worker.links.status)
            source = worker.spec.source_id

            def log() -> CameraLog | None:
                with read_lock:
                    return read().get(source)

            draft = self._forwarder.draft(source) if self._forwarder is not None else None
            return camera_entry(self.folder, worker.spec, row, outcome, log, draft)

        with ThreadPoolExecutor(max_workers=max(1, len(self._workers))) as pool:
            entries = list(pool.map(finish, self._workers))
        cameras = {worker.spec.camera.name: entry for worker, entry in zip(self._workers, entries, strict=True)}
        if logger_stop is not None:
            logger_stop.join()  # a logger that dies while it drains is still reported
        failed_analysis = analysis.add_analysis(cameras, [w.analysis for w in self._workers])
        ending = SessionEnding(self.health(), self.stop_reason, exit_state, failed_analysis)
        close_manifest(self.manifest, cameras, self.config.encoder, ending)
        try:
            write_manifest(self.folder.manifest, self.manifest)
        except OSError as error:  # the caller still gets the manifest, and a daemon goes on serving
            self.manifest["manifest_error"] = f"{self.folder.manifest} not written ({error.strerror})"
