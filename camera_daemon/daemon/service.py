"""The background daemon: one session, driven through its control socket.

Started detached by ``camd start`` (own process session, output into the session's
``logs/daemon.log``). It reports readiness through a pipe the launcher waits on, so ``camd start``
returns exactly when every camera delivers frames, or fails with the reason.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from camera_daemon.cameras.credentials import restore_sources
from camera_daemon.config import load_config
from camera_daemon.daemon.runtime import DaemonPaths
from camera_daemon.daemon.server import ControlServer
from camera_daemon.errors import CamdError
from camera_daemon.session.checksums import start_in_background
from camera_daemon.session.folder import SessionFolder
from camera_daemon.session.lock import SessionLock
from camera_daemon.timing.archive import assemble_detached

log = logging.getLogger("camd.daemon")
_STOP_REPLY_TIMEOUT_S = 3600.0


class Daemon:
    def __init__(self, folder: SessionFolder, paths: DaemonPaths) -> None:
        self.folder = folder
        self.paths = paths
        # Imported here, not at the top: this module is the main module of every process the daemon
        # spawns, and each would otherwise load the logger's libraries just to start.
        from camera_daemon.daemon.supervisor import Supervisor

        self.config = restore_sources(load_config(folder.config))
        self.supervisor = Supervisor(self.config, folder)
        self.stop_requested = threading.Event()
        self.finished = threading.Event()
        self.final: dict[str, Any] = {}
        self.state = "starting"
        self.started_at = time.time()

    def handle(self, command: str, from_page: bool = False) -> dict[str, Any]:
        """A control request; one from the preview page was logged there already, with its peer."""
        if command == "ping":
            return {"ok": True, "state": self.state}
        if command == "status":
            return {"ok": True, **self.status()}
        if command in ("pause", "resume"):
            if self.state not in ("recording", "paused"):
                return {"ok": False, "error": f"cannot {command} while {self.state}"}
            self.supervisor.set_paused(command == "pause")
            self.state = "paused" if command == "pause" else "recording"
            if not from_page:
                log.info("%s requested over the control socket", command)
            return {"ok": True, "state": self.state}
        if not from_page:
            log.info("stop requested over the control socket")
        self.stop_requested.set()
        if from_page:
            return {"ok": True, "state": "stopping"}  # the page is told at once and watches status
        if not self.finished.wait(_STOP_REPLY_TIMEOUT_S):
            return {"ok": False, "error": "stop is still running; see camd logs"}
        return {"ok": True, **self.final}

    def status(self) -> dict[str, Any]:
        return {
            "session": str(self.folder.root),
            "state": self.state,
            "pid": os.getpid(),
            "uptime_s": round(time.time() - self.started_at, 3),
            "cameras": [status.as_dict() for status in self.supervisor.statuses()],
            **self.supervisor.health(),
            "disk_free_bytes": self.supervisor.disk.free,
            "disk_seconds_left": self.supervisor.disk.seconds_left,
            "error": self.supervisor.stop_reason,
        }

    def _taps(self) -> dict[str, str]:
        return self.supervisor.taps

    def _log_failures(self, context: str) -> None:
        for name, reason in self.supervisor.poll():
            log.error("camera '%s' failed: %s; %s", name, reason, context)

    def run(self, ready_fd: int) -> int:
        server = ControlServer(self.paths.socket, self.handle)
        server.start()
        from camera_daemon.daemon.preview_host import open_preview, preview_lines
        from camera_daemon.web.controls import Controls

        page = Controls(self.status, lambda action: self.handle(action, from_page=True), self._taps)
        preview, problem = open_preview(self.config.preview, page, log)
        try:
            self.supervisor.start(stop=self.stop_requested)
        except CamdError as error:
            log.error("start failed: %s", error)
            _report(ready_fd, {"ok": False, "error": str(error)})
            self.supervisor.abandon(str(error))
            self.folder.release()
            if preview is not None:
                preview.close()
            server.close()
            return 1
        if self.stop_requested.is_set():  # stopped while a camera was still opening
            early = f"stopped before every camera delivered a frame; see {self.folder.root}/manifest.json"
            _report(ready_fd, {"ok": False, "error": early})
        else:
            self.state = "recording"
            lines = preview_lines(preview, problem)
            _report(ready_fd, {"ok": True, "session": str(self.folder.root), "pid": os.getpid(), "preview": lines})
            log.info("recording %s", self.folder.root)
        deadline: float | None = None
        while not self.stop_requested.is_set():
            deadline = deadline or self.supervisor.duration_deadline(self.config.session.duration_s)
            self.supervisor.statuses()  # keeps the current-rate window fresh between status requests
            self._log_failures("the other cameras keep recording")
            if self.supervisor.all_ended or (deadline is not None and time.monotonic() >= deadline):
                break
            self.stop_requested.wait(0.1 if deadline is None else max(0.0, min(0.1, deadline - time.monotonic())))
        self.state = "stopping"
        manifest = self.supervisor.stop()
        self._log_failures("found at stop")
        if self.config.post.enabled:
            from camera_daemon.daemon.post_stage import run_post_after_stop
            from camera_daemon.session.manifest import write_manifest

            manifest["post"] = run_post_after_stop(self.folder.root, self.config)
            write_manifest(self.folder.manifest, manifest)
        from camera_daemon.daemon.post_stage import run_qc_after_stop
        from camera_daemon.qc.summary import PENDING_QC
        from camera_daemon.session.manifest import write_manifest

        # QC reads every packet of every video, so it grows with the session: it runs after the
        # reply, and the manifest says meanwhile that its verdict is coming.
        manifest["qc"] = PENDING_QC
        with contextlib.suppress(OSError):  # a full disk: the manifest without the marker still stands
            write_manifest(self.folder.manifest, manifest)
        self.final = {"session": str(self.folder.root), "manifest": manifest}
        self.state = "stopped"
        log.info("stopped: %s", manifest["exit_state"])
        self.folder.release(checksums=False)  # the files are final: the session may be replaced or recovered now
        if self.supervisor.stop_reason is not None and not self.stop_requested.is_set():
            # Ended early by itself (a full disk): stay until `camd stop` collects the reason, so
            # the rig's script learns of it instead of finding no daemon and no explanation.
            self.state = "failed"
            log.error("recording ended early: %s; waiting for camd stop", self.supervisor.stop_reason)
            self.stop_requested.wait()
        self.paths.remove()  # before the stop reply: a start right after `camd stop` must find no leftovers
        self.finished.set()
        if preview is not None:
            preview.close()
        server.close()  # waits for in-flight replies, including the stop reply
        qc = run_qc_after_stop(self.folder.root, only_if_pending=True)
        log.info("QC: %s", qc.get("verdict") or qc.get("error"))
        start_in_background(self.folder.root)  # checksums, once QC no longer writes the manifest
        assemble_detached(self.folder.logs)  # after the stop reply: pack the logger's entries
        return 0 if not manifest.get("failed_cameras") else 1


def _report(fd: int, message: dict[str, Any]) -> None:
    if fd < 0:
        return
    try:
        os.write(fd, (json.dumps(message) + "\n").encode())
        os.close(fd)
    except OSError:
        pass  # the launcher gave up waiting; the log says what happened


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="camd-daemon")
    parser.add_argument("--session", type=Path, required=True)
    parser.add_argument("--name", default="default")
    parser.add_argument("--ready-fd", type=int, default=-1)
    parser.add_argument("--lock-fd", type=int, default=-1)
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    paths = DaemonPaths(options.name)
    paths.write_pid(os.getpid())
    paths.write_info({"session": str(options.session), "pid": os.getpid(), "name": options.name})
    lock = SessionLock.adopt(options.lock_fd, options.session) if options.lock_fd >= 0 else None
    daemon = Daemon(SessionFolder(options.session, lock), paths)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: daemon.stop_requested.set())
    try:
        return daemon.run(options.ready_fd)
    finally:
        paths.remove()


if __name__ == "__main__":
    sys.exit(main())
