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

from camera_daemon.analysis.loader import check_callbacks
from camera_daemon.config import SessionConfig
from camera_daemon.daemon.post_stage import run_post_after_stop, run_qc_after_stop
from camera_daemon.daemon.preview_host import host_preview
from camera_daemon.daemon.status import CameraStatus
from camera_daemon.daemon.supervisor import Supervisor
from camera_daemon.encoding.probe import check_encoders
from camera_daemon.session.folder import SessionFolder, create_session
from camera_daemon.session.manifest import write_manifest
from camera_daemon.timing.archive import assemble_detached


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
    on_preview: Callable[[str, bool], None] | None = None,
) -> tuple[Path, dict[str, Any]]:
    check_encoders(config)  # before the folder exists: an encoder that cannot run leaves nothing behind
    check_callbacks(config)  # a callback that does not import is exit 2, before the folder exists
    folder = create_session(config.session.output, config.session.name, force=force)
    try:
        return _record_into(folder, config, on_tick=on_tick, on_failure=on_failure, stop=stop, on_preview=on_preview)
    finally:
        folder.release()  # only once the manifest is final may the session be replaced or recovered


def _record_into(
    folder: SessionFolder,
    config: SessionConfig,
    *,
    on_tick: Callable[[list[CameraStatus]], None] | None,
    on_failure: Callable[[str, str], None] | None,
    stop: StopRequest | None,
    on_preview: Callable[[str, bool], None] | None = None,
) -> tuple[Path, dict[str, Any]]:
    stop = stop or StopRequest()
    supervisor = Supervisor(config, folder)
    preview = host_preview(config.preview, supervisor, stop.event, on_preview)
    try:
        supervisor.start(stop=stop.event)
    except BaseException as error:  # whatever stopped the start, the workers and the logger end in order
        supervisor.abandon(str(error) or type(error).__name__)
        preview.close()
        raise
    deadline: float | None = None
    try:
        while not stop.event.is_set():
            deadline = deadline or supervisor.duration_deadline(config.session.duration_s)
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
        preview.close()
    if config.post.enabled:
        manifest["post"] = run_post_after_stop(folder.root, config)
        write_manifest(folder.manifest, manifest)
    manifest["qc"] = run_qc_after_stop(folder.root)
    assemble_detached(folder.logs)  # the manifest is final: pack the logger's entries off the stop path
    return folder.root, manifest
