"""Hosting the preview server (web/) beside a recording: the daemon's and ``camd run``'s side.

The server is optional equipment: a port that cannot be had, or a server that will not start, is a
warning and the recording goes on without it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from camera_daemon.config import PreviewConfig
from camera_daemon.daemon.supervisor import Supervisor
from camera_daemon.errors import CamdError
from camera_daemon.web.controls import Controls
from camera_daemon.web.server import PreviewServer

# `camd start` hands a token from the config to the daemon here: session.toml never holds it.
TOKEN_VARIABLE = "CAMD_PREVIEW_TOKEN"


def open_preview(
    settings: PreviewConfig, controls: Controls, log: logging.Logger
) -> tuple[PreviewServer | None, str | None]:
    """The running server, or None and the one-line reason it is not running (None if disabled)."""
    if not settings.enabled:
        return None, None
    token = settings.token or os.environ.pop(TOKEN_VARIABLE, "")
    server = PreviewServer(settings.model_copy(update={"token": token}), controls, log)
    try:
        server.start()
    except CamdError as error:
        log.warning("%s", error)
        return None, str(error)
    log.info("preview at %s", server.url)  # never the token: logs are read by more people than the page
    return server, None


def preview_lines(server: PreviewServer | None, problem: str | None) -> list[tuple[str, bool]]:
    """(line, is_warning) to print at start: the URL, and a warning when the network can reach it."""
    if server is None:
        return [(f"preview off: {problem}", True)] if problem else []
    lines = [(f"preview: {server.public_url}", False)]
    if server.rules.token_required:
        lines.append(
            (
                f"the preview listens on {server.settings.bind}, reachable from the network: anyone with "
                "this URL (it carries the access token) can watch and stop the recording",
                True,
            )
        )
    return lines


def supervisor_status(supervisor: Supervisor, state: str, started_at: float) -> dict[str, Any]:
    """The fields of ``camd status --json`` for a session recorded in the foreground."""
    return {
        "session": str(supervisor.folder.root),
        "state": state,
        "pid": os.getpid(),
        "uptime_s": round(time.time() - started_at, 3),
        "cameras": [status.as_dict() for status in supervisor.statuses()],
        **supervisor.health(),
        "disk_free_bytes": supervisor.disk.free,
        "disk_seconds_left": supervisor.disk.seconds_left,
        "error": supervisor.stop_reason,
    }


class HostedPreview:
    """What ``camd run`` holds: the server if one runs, closed once with the recording."""

    def __init__(self, server: PreviewServer | None) -> None:
        self.server = server

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None


def host_preview(
    settings: PreviewConfig,
    supervisor: Supervisor,
    stop: threading.Event,
    on_line: Callable[[str, bool], None] | None,
) -> HostedPreview:
    """Serves the page beside a foreground recording; actions go to the session's logs/daemon.log,
    where ``camd logs --session`` finds them."""
    if not settings.enabled:
        return HostedPreview(None)
    log = logging.getLogger(f"camd.preview.{id(supervisor)}")
    log.setLevel(logging.INFO)
    log.propagate = False
    handler = logging.FileHandler(supervisor.folder.logs / "daemon.log", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    controls = ForegroundControls(supervisor, stop, log)
    server, problem = open_preview(settings, controls.controls(), log)
    for line, warning in preview_lines(server, problem):
        if on_line is not None:
            on_line(line, warning)
    return HostedPreview(server)


class ForegroundControls:
    """Pause, resume and stop for ``camd run``: the same answers the daemon gives its socket."""

    def __init__(self, supervisor: Supervisor, stop: threading.Event, log: logging.Logger) -> None:
        self.supervisor = supervisor
        self.stop = stop
        self.log = log
        self.state = "recording"
        self.started_at = time.time()

    def status(self) -> dict[str, Any]:
        return supervisor_status(self.supervisor, "stopping" if self.stop.is_set() else self.state, self.started_at)

    def act(self, command: str) -> dict[str, Any]:
        if command == "stop":
            self.stop.set()
            return {"ok": True, "state": "stopping"}
        if self.stop.is_set():
            return {"ok": False, "error": f"cannot {command} while stopping"}
        self.supervisor.set_paused(command == "pause")
        self.state = "paused" if command == "pause" else "recording"
        return {"ok": True, "state": self.state}

    def controls(self) -> Controls:
        taps: Callable[[], dict[str, str]] = lambda: self.supervisor.taps  # noqa: E731
        return Controls(status=self.status, act=self.act, taps=taps)
