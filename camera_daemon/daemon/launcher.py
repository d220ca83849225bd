"""``camd start``: validate in the foreground, then detach the daemon and wait for its word.

Everything a user can get wrong (config, session name, a daemon already running) is checked here,
so it fails at once with the usual one-line error; the daemon itself only has to open cameras.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from typing import Any

from camera_daemon.analysis.loader import check_callbacks
from camera_daemon.cameras.credentials import SOURCES_VARIABLE, secret_sources
from camera_daemon.config import SessionConfig
from camera_daemon.config_toml import config_to_toml
from camera_daemon.daemon.runtime import DaemonPaths, running_daemon
from camera_daemon.encoding.probe import check_encoders
from camera_daemon.errors import CamdError
from camera_daemon.safe_write import write_text_atomic
from camera_daemon.session.folder import create_session


def start_daemon(config: SessionConfig, name: str, *, force: bool, timeout_s: float = 60.0) -> dict[str, Any]:
    paths = DaemonPaths(name)
    pid = running_daemon(paths)
    if pid is not None:
        info = paths.read_info() or {}
        raise CamdError(
            f"daemon '{name}' (pid {pid}) is already recording {info.get('session', '?')}; "
            f"stop it with camd stop --name {name}, or start another with --name OTHER"
        )
    check_encoders(config)
    check_callbacks(config)  # a callback that does not import is exit 2, before the folder exists
    folder = create_session(config.session.output, config.session.name, force=force)
    lock_fd = folder.lock.fileno() if folder.lock is not None else -1
    write_text_atomic(folder.config, config_to_toml(config))
    log_path = folder.logs / "daemon.log"
    read_fd, write_fd = os.pipe()
    command = [sys.executable, "-m", "camera_daemon.daemon.service", "--session", str(folder.root)]
    command += ["--name", name, "--ready-fd", str(write_fd), "--lock-fd", str(lock_fd)]
    env = {**os.environ, SOURCES_VARIABLE: json.dumps(secret_sources(config))}
    if config.preview.token:  # never written into session.toml: the daemon gets it from here
        env["CAMD_PREVIEW_TOKEN"] = config.preview.token
    try:
        with open(log_path, "ab") as log, open(os.devnull, "rb") as devnull:
            process = subprocess.Popen(
                command,
                stdin=devnull,
                stdout=log,
                stderr=log,
                pass_fds=(write_fd, lock_fd),
                start_new_session=True,
                env=env,
            )
    finally:
        folder.release()  # the daemon holds the session's lock from here on (session/lock.py)
    os.close(write_fd)
    # Ctrl-C or SIGTERM while cameras open stops the daemon too: it finishes what was recorded and
    # exits within a second, instead of recording on with nobody to stop it.
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        message = _wait_for_word(read_fd, process, timeout_s)
    except KeyboardInterrupt:
        process.terminate()
        process.wait(timeout=120)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        os.close(read_fd)
    if message is None:
        if process.poll() is None:
            process.terminate()
        raise CamdError(f"the daemon did not come up within {timeout_s:g} s; see {log_path}")
    if not message.get("ok"):
        process.wait(timeout=120)  # it is finishing the session's files; leave no process behind
        raise CamdError(str(message.get("error", f"the daemon failed to start; see {log_path}")))
    return message


def _wait_for_word(fd: int, process: subprocess.Popen[bytes], timeout_s: float) -> dict[str, Any] | None:
    """The daemon's one-line report, or None if it died or stayed silent."""
    deadline = time.monotonic() + timeout_s
    data = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break  # every write end closed: the daemon reported, or exited without a word
        data += chunk
        if data.endswith(b"\n"):
            break
    if not data:
        process.poll()
        if process.returncode is not None:
            return {"ok": False, "error": f"the daemon exited with code {process.returncode} before it was ready"}
        return None
    result: dict[str, Any] = json.loads(data)
    return result
