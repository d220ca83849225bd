"""``camd preview CONFIG|--camera ...``: show the cameras on the preview page without recording."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

from camera_daemon.cli_options import CameraOption
from camera_daemon.errors import CamdError
from camera_daemon.web.options import PreviewPortOption


def preview(
    config: Annotated[
        Path | None, typer.Argument(help="Session TOML file (only cameras and \\[preview] are used).")
    ] = None,
    camera: CameraOption = None,
    preview_port: PreviewPortOption = None,
    duration: Annotated[float | None, typer.Option(help="Seconds to show, then exit; default: until Ctrl-C.")] = None,
) -> None:
    """Show live cameras in the browser for aiming and focusing; nothing is recorded."""
    from camera_daemon.daemon.viewer import Viewer
    from camera_daemon.session.options import build_config
    from camera_daemon.web.controls import Controls
    from camera_daemon.web.options import with_preview_options
    from camera_daemon.web.server import PreviewServer

    session_config = build_config(config, camera or [])
    session_config = with_preview_options(session_config, preview_port, no_preview=False)
    settings = session_config.preview.model_copy(update={"enabled": True})
    log = logging.getLogger("camd.preview")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="camd: %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda _signum, _frame: stop.set())
    viewer = Viewer(session_config)
    server = PreviewServer(settings, Controls(viewer.status, viewer.act, viewer.taps, mode="preview"), log)
    url = server.start()
    viewer.start()
    sys.stdout.write(f"preview: {url}\n")
    sys.stdout.flush()
    if server.rules.token_required:
        sys.stderr.write(
            f"camd: warning: the preview listens on {settings.bind}, reachable from the network: "
            "anyone with this URL (it carries the access token) can watch these cameras\n"
        )
    failed: list[str] = []
    deadline = time.monotonic() + duration if duration else None
    try:
        while not (stop.is_set() or viewer.stop_requested or viewer.all_ended):
            for name, reason in viewer.failures():
                failed.append(name)
                sys.stderr.write(f"camd: camera '{name}' failed: {reason}; the other cameras are still shown\n")
            if deadline is not None and time.monotonic() >= deadline:
                break
            stop.wait(0.2)
    finally:
        viewer.stop()
        server.close()
    failed += [name for name, _ in viewer.failures()]
    if failed and len(failed) == len(session_config.cameras):
        raise CamdError(f"no camera could be shown: {', '.join(failed)} failed")
