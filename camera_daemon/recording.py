"""Records one session in the foreground: the shared core of ``camd run`` and ``camd demo``.

It turns options into a validated config, creates the session folder, runs the supervisor until
the duration ends, every source ends, or a signal arrives, and returns the final manifest.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from camera_daemon.config import SessionConfig
from camera_daemon.daemon.post_stage import run_post_after_stop, run_qc_after_stop
from camera_daemon.daemon.status import CameraStatus
from camera_daemon.daemon.supervisor import Supervisor
from camera_daemon.encoding.probe import check_encoders
from camera_daemon.session.folder import SessionFolder, create_session
from camera_daemon.session.manifest import write_manifest


class StopRequest:
    """Set by SIGINT/SIGTERM: the recording loop wakes at once instead of at its next poll."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal_name: str | None = None

    def install(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._handle)

    def _handle(self, signum: int, _frame: object) -> None:
        self.signal_name = signal.Signals(signum).name
        self.event.set()


def record(
    config: SessionConfig,
    *,
    force: bool = False,
    on_tick: Callable[[list[CameraStatus]], None] | None = None,
    on_failure: Callable[[str, str], None] | None = None,
    stop: StopRequest | None = None,
) -> tuple[Path, dict[str, Any]]:
    check_encoders(config)  # before the folder exists: an encoder that cannot run leaves nothing behind
    folder = create_session(config.session.output, config.session.name, force=force)
    try:
        return _record_into(folder, config, on_tick=on_tick, on_failure=on_failure, stop=stop)
    finally:
        folder.release()  # only once the manifest is final may the session be replaced or recovered


def _record_into(
    folder: SessionFolder,
    config: SessionConfig,
    *,
    on_tick: Callable[[list[CameraStatus]], None] | None,
    on_failure: Callable[[str, str], None] | None,
    stop: StopRequest | None,
) -> tuple[Path, dict[str, Any]]:
    stop = stop or StopRequest()
    supervisor = Supervisor(config, folder)
    try:
        supervisor.start(stop=stop.event)
    except BaseException:  # whatever stopped the start, the workers and the logger end in order
        supervisor.stop(exit_state="failed")
        raise
    deadline = time.monotonic() + config.session.duration_s if config.session.duration_s > 0 else None
    try:
        while not stop.event.is_set():
            for name, reason in supervisor.poll():
                if on_failure is not None:
                    on_failure(name, reason)
            if supervisor.all_ended:
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
            if on_tick is not None:
                on_tick(supervisor.statuses())
            timeout = 0.25 if deadline is None else max(0.0, min(0.25, deadline - time.monotonic()))
            stop.event.wait(timeout)
    finally:
        manifest = supervisor.stop()
    if config.post.enabled:
        manifest["post"] = run_post_after_stop(folder.root, config)
        write_manifest(folder.manifest, manifest)
    manifest["qc"] = run_qc_after_stop(folder.root)
    return folder.root, manifest
