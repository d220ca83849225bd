"""The control protocol: one JSON object per line, each carrying the protocol version.

Requests: ``{"v": 1, "cmd": "status" | "stop" | "pause" | "resume" | "ping"}``. Replies:
``{"v": 1, "ok": true, ...}`` or ``{"v": 1, "ok": false, "error": "..."}``. A client of another
version gets an error reply rather than a misread answer.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from camera_daemon.errors import CamdError

PROTOCOL_VERSION = 1
MAX_LINE_BYTES = 64 * 1024
COMMANDS = ("status", "stop", "pause", "resume", "ping")


class DaemonUnavailable(CamdError):
    """No daemon answers under that name."""


def parse_request(line: bytes) -> tuple[str | None, str | None]:
    """(command, None) for a valid request, (None, reason) otherwise."""
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, "not a JSON line"
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


def request(socket_path: Path, command: str, timeout_s: float = 10.0) -> dict[str, Any]:
    """Send one request and wait for its reply line."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(timeout_s)
        try:
            client.connect(str(socket_path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise DaemonUnavailable(
                f"no daemon answers at {socket_path}; start one with camd start, or name it with --name"
            ) from None
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
