"""The Python API behind ``import camera_daemon``: record, or drive a background daemon, from a script.

The same code paths as the ``camd`` commands, so a script gets the same guarantees and the same
errors (``CamdError`` and its subclasses, each with an ``exit_code``). The recorder spawns one
process per camera: a script that calls ``record`` or ``start`` needs an ``if __name__ == "__main__":``
guard.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from camera_daemon.config import SessionConfig, load_config, parse_config
from camera_daemon.errors import CamdError
from camera_daemon.session.options import with_session_options
from camera_daemon.session.reader import Session

ConfigLike = SessionConfig | Mapping[str, Any] | str | os.PathLike[str]


def _config(
    config: ConfigLike, *, duration_s: float | None, output: str | Path | None, session: str | None
) -> SessionConfig:
    if isinstance(config, SessionConfig):
        data = config.model_dump(mode="json", exclude_unset=True)
    elif isinstance(config, Mapping):
        data = parse_config(dict(config)).model_dump(mode="json", exclude_unset=True)
    else:
        data = load_config(Path(config)).model_dump(mode="json", exclude_unset=True)
    with_session_options(data, duration_s, output, session)
    return parse_config(data, origin="arguments")


def record(
    config: ConfigLike,
    *,
    duration_s: float | None = None,
    output: str | Path | None = None,
    session: str | None = None,
    force: bool = False,
) -> Session:
    """Record in this process until the duration ends, every source ends, or SIGINT/SIGTERM; returns
    the final session. A failed camera does not raise: see ``Session.manifest["failed_cameras"]``."""
    from camera_daemon.recording import record as record_session

    folder, _ = record_session(_config(config, duration_s=duration_s, output=output, session=session), force=force)
    return Session(folder)


def start(
    config: ConfigLike,
    *,
    name: str = "default",
    duration_s: float | None = None,
    output: str | Path | None = None,
    session: str | None = None,
    force: bool = False,
) -> Path:
    """Start a background daemon (``camd start``); returns its session folder once every camera
    delivered a frame. It outlives this process: end it with ``stop(name)``."""
    from camera_daemon.daemon.launcher import start_daemon

    settings = _config(config, duration_s=duration_s, output=output, session=session)
    return Path(start_daemon(settings, name, force=force)["session"])


def _ask(name: str, command: str, timeout_s: float) -> dict[str, Any]:
    from camera_daemon.daemon.protocol import request
    from camera_daemon.daemon.runtime import DaemonPaths

    reply = request(DaemonPaths(name).socket, command, timeout_s)
    if not reply.get("ok"):
        raise CamdError(f"daemon '{name}' refused '{command}': {reply.get('error')}")
    return reply


def status(name: str = "default") -> dict[str, Any]:
    """What ``camd status --json`` prints: state, session, per-camera rates, frames, drops, disk."""
    reply = _ask(name, "status", 10.0)
    reply.pop("ok", None)
    reply.pop("v", None)
    return reply


def stop(name: str = "default", timeout_s: float = 3600.0) -> Session:
    """Stop the daemon and return its session once files, tables and manifest are final."""
    return Session(_ask(name, "stop", timeout_s)["session"])
