"""Where a running daemon can be found: its socket, PID file and session pointer, per daemon name.

The folder is private to the user (0700) and the socket 0600, so only the user who started a
recording can stop it. A PID file whose process is gone, or a socket nobody answers, is a leftover
of a crash and is removed on the next start.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camera_daemon.errors import ConfigError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$")


def runtime_dir() -> Path:
    override = os.environ.get("CAMD_RUNTIME_DIR")
    if override:
        base = Path(override)
    elif os.environ.get("XDG_RUNTIME_DIR"):
        base = Path(os.environ["XDG_RUNTIME_DIR"]) / "camd"
    else:
        base = Path("/tmp") / f"camd-{os.getuid()}"
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(base, 0o700)
    return base


@dataclass(frozen=True)
class DaemonPaths:
    name: str

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ConfigError(f"--name '{self.name}': use letters, digits, '.', '_' or '-' (up to 41 characters)")

    @property
    def socket(self) -> Path:
        return runtime_dir() / f"{self.name}.sock"

    @property
    def pid_file(self) -> Path:
        return runtime_dir() / f"{self.name}.pid"

    @property
    def info_file(self) -> Path:
        return runtime_dir() / f"{self.name}.json"

    def read_pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def read_info(self) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads(self.info_file.read_text())
        except (OSError, ValueError):
            return None
        return data

    def write_info(self, info: dict[str, Any]) -> None:
        tmp = self.info_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(info))
        tmp.replace(self.info_file)

    def remove(self) -> None:
        for path in (self.socket, self.pid_file, self.info_file):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pid_running(pid: int) -> bool:
    """Whether a process runs, a zombie not counted: a killed encoder stays a zombie until its
    worker reaps it, and a SIGKILLed worker never will."""
    if pid <= 0:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        return process_alive(pid)
    return stat[stat.rindex(")") + 2 : stat.rindex(")") + 3] not in ("Z", "X")


def socket_answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def running_daemon(paths: DaemonPaths) -> int | None:
    """PID of a live daemon under this name, cleaning up what a dead one left behind."""
    pid = paths.read_pid()
    if pid is not None and process_alive(pid) and socket_answers(paths.socket):
        return pid
    if pid is not None and process_alive(pid) and not paths.socket.exists():
        return pid  # still starting: its socket is not bound yet
    if paths.pid_file.exists() or paths.socket.exists() or paths.info_file.exists():
        paths.remove()
    return None
