"""The control protocol: one JSON object per line, each carrying the protocol version.

Requests: ``{"v": 1, "cmd": "status" | "stop" | "pause" | "resume" | "ping"}``. Replies:
``{"v": 1, "ok": true, ...}`` or ``{"v": 1, "ok": false, "error": "..."}``. A client of another
version gets an error reply rather than a misread answer.

Each side checks the other's uid (SO_PEERCRED) before it trusts a word: a socket served by another
user must not be able to answer ``camd stop`` for the daemon. A daemon busy with many clients may
leave a connect waiting for room in its queue; the client tries again until its own deadline.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import time
from pathlib import Path
from typing import Any

from camera_daemon.errors import CamdError, ConfigError

PROTOCOL_VERSION = 1
MAX_LINE_BYTES = 64 * 1024
_REFUSED_GRACE_S = 1.0  # a socket file whose server is between close and rebind, or gone for good
COMMANDS = ("status", "stop", "pause", "resume", "ping")


class DaemonUnavailable(CamdError):
    """No daemon answers under that name."""


def parse_request(line: bytes) -> tuple[str | None, str | None]:
    """(command, None) for a valid request, (None, reason) otherwise."""
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, "not a JSON line"
    except RecursionError:
        return None, "a request nested too deeply; send a flat JSON object"
    if not isinstance(message, dict):
        return None, "a request must be a JSON object"
    if message.get("v") != PROTOCOL_VERSION:
        return None, f"protocol version {message.get('v')!r} is not supported; this daemon speaks v{PROTOCOL_VERSION}"
    command = message.get("cmd")
    if command not in COMMANDS:
        return None, f"unknown command {command!r}; commands: {', '.join(COMMANDS)}"
    return str(command), None


def encode(message: dict[str, Any]) -> bytes:
    return (json.dumps({"v": PROTOCOL_VERSION, **message}) + "\n").encode()


def peer_uid(connection: socket.socket) -> int:
    """The uid of the process at the other end of a Unix socket, as the kernel saw it."""
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return int(uid)


def connect(socket_path: Path, timeout_s: float) -> socket.socket:
    """A connection to the daemon's socket, retried while its queue is full, until the deadline."""
    start = time.monotonic()
    deadline = start + timeout_s
    delay = 0.002
    while True:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.settimeout(max(0.001, deadline - time.monotonic()))
        try:
            client.connect(str(socket_path))
        except FileNotFoundError:
            client.close()
            raise _unavailable(socket_path) from None
        except ConnectionRefusedError:
            client.close()
            if time.monotonic() - start > min(_REFUSED_GRACE_S, timeout_s):
                raise _unavailable(socket_path) from None
        except (BlockingIOError, InterruptedError, TimeoutError):
            client.close()  # the listen queue is full: the daemon is busy, not gone
        except BaseException:
            client.close()
            raise
        else:
            return client
        if time.monotonic() + delay >= deadline:
            raise CamdError(f"the daemon at {socket_path} accepted no connection within {timeout_s:g} s; try again")
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _unavailable(socket_path: Path) -> DaemonUnavailable:
    return DaemonUnavailable(f"no daemon answers at {socket_path}; start one with camd start, or name it with --name")


def check_peer(connection: socket.socket, socket_path: Path) -> None:
    uid, ours = peer_uid(connection), os.getuid()
    if uid != ours:
        raise ConfigError(
            f"{socket_path} is served by uid {uid}, not by you (uid {ours}); not trusting it: "
            "remove it, or set CAMD_RUNTIME_DIR to a folder of your own with mode 0700"
        )


def request(socket_path: Path, command: str, timeout_s: float = 10.0) -> dict[str, Any]:
    """Send one request and wait for its reply line."""
    with connect(socket_path, timeout_s) as client:
        check_peer(client, socket_path)
        client.sendall(encode({"cmd": command}))
        reply = b""
        try:
            while not reply.endswith(b"\n"):
                chunk = client.recv(65536)
                if not chunk:
                    break
                reply += chunk
        except TimeoutError:
            raise CamdError(f"the daemon did not answer '{command}' within {timeout_s:g} s") from None
    if not reply:
        raise CamdError(f"the daemon closed the connection without answering '{command}'")
    data: dict[str, Any] = json.loads(reply)
    return data
