"""Where a running daemon can be found: its socket, PID file and session pointer, per daemon name.

The folder must be the user's own real directory, writable by nobody else, as ssh and tmux require
of theirs: anyone who can write there could plant a symlink that makes camd overwrite a file, or a
socket that answers ``camd stop`` in the daemon's place. camd creates the folder 0700 when it is
missing and never changes one it finds; it refuses one that fails the check instead. Files in it
are created new (never through a link) and renamed into place. A PID file whose process is gone,
or a socket nobody answers, is a leftover of a crash and is removed on the next start.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import stat
from pathlib import Path
from typing import Any

from camera_daemon.daemon.protocol import peer_uid
from camera_daemon.errors import ConfigError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$")


_FIX = "remove it, or set CAMD_RUNTIME_DIR to a folder of your own with mode 0700"


def runtime_dir() -> Path:
    override = os.environ.get("CAMD_RUNTIME_DIR")
    if override:
        base = Path(override)
    elif os.environ.get("XDG_RUNTIME_DIR"):
        base = Path(os.environ["XDG_RUNTIME_DIR"]) / "camd"
    else:
        base = Path("/tmp") / f"camd-{os.getuid()}"
    try:
        base.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(base, 0o700)
    except FileExistsError:
        pass  # checked below, never changed: chmod would follow a planted link to someone's file
    except OSError as error:
        raise ConfigError(f"runtime folder {base} cannot be created ({error.strerror}); {_FIX}") from None
    check_private_dir(base)
    return base


def check_private_dir(path: Path) -> None:
    """Raise unless ``path`` is a real directory of this user that nobody else may write to."""
    try:
        info = os.lstat(path)
    except OSError as error:
        raise ConfigError(f"runtime folder {path} cannot be read ({error.strerror}); {_FIX}") from None
    uid = os.getuid()
    if stat.S_ISLNK(info.st_mode):
        problem = "is a symbolic link"
    elif not stat.S_ISDIR(info.st_mode):
        problem = "is not a folder"
    elif info.st_uid != uid:
        problem = f"is owned by uid {info.st_uid}, not by you (uid {uid})"
    elif info.st_mode & 0o022:
        problem = f"is writable by others (mode {stat.S_IMODE(info.st_mode):04o})"
    else:
        return
    raise ConfigError(f"runtime folder {path} {problem}; {_FIX}")


def _read_private(path: Path) -> str:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "r") as handle:
        return handle.read()


def _write_private(path: Path, text: str) -> None:
    """Write a new 0600 file beside ``path`` and rename it over: a link there is replaced, never followed."""
    tmp = path.with_name(f"{path.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()  # left by a crash; in a folder only we can write to, nobody else put it there
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(tmp, path)


class DaemonPaths:
    """A plain class, not a dataclass: ``camd status`` imports this module, and dataclasses costs
    it ~10 ms of imports on a 50 ms budget."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name
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
            return int(_read_private(self.pid_file).strip())
        except (OSError, ValueError):
            return None

    def read_info(self) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads(_read_private(self.info_file))
        except (OSError, ValueError):
            return None
        return data

    def write_pid(self, pid: int) -> None:
        _write_private(self.pid_file, f"{pid}\n")

    def write_info(self, info: dict[str, Any]) -> None:
        _write_private(self.info_file, json.dumps(info))

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
    """Whether one of our own processes listens there; another user's socket is no daemon of ours."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except BlockingIOError:
            return True  # its queue is full: a busy daemon, and only we can bind in our folder
        except OSError:
            return False
        return peer_uid(probe) == os.getuid()


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
