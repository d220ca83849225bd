"""The daemon's control socket: a small threaded server that turns request lines into handler calls.

It must never fall over on bad input: every malformed, oversized, too deeply nested or unknown
request gets an error reply, and the recording goes on. Each request must arrive whole within one
deadline, however slowly its bytes trickle in, so no client can hold a thread for long; and only a
process of the daemon's own user is served.
"""

from __future__ import annotations

import contextlib
import os
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from camera_daemon.daemon.protocol import MAX_LINE_BYTES, encode, parse_request, peer_uid

Handler = Callable[[str], dict[str, Any]]
REQUEST_DEADLINE_S = 5.0
LISTEN_BACKLOG = 128
_MAX_DISCARD_BYTES = 64 << 20


class _Lines:
    """Request lines read against a deadline for the whole line, not for each read."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.buffer = bytearray()

    def read(self, deadline: float, limit: int) -> bytes:
        """The next line with its newline; its first ``limit + 1`` bytes if longer; what is left at
        end of stream (b"" once nothing is). Raises TimeoutError at the deadline."""
        while True:
            end = self.buffer.find(b"\n", 0, limit + 1)
            if end >= 0 or len(self.buffer) > limit:
                size = end + 1 if end >= 0 else limit + 1
                line = bytes(self.buffer[:size])
                del self.buffer[:size]
                return line
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            self.connection.settimeout(remaining)
            chunk = self.connection.recv(65536)
            if not chunk:
                line = bytes(self.buffer)
                self.buffer.clear()
                return line
            self.buffer += chunk


class _Connection(socketserver.BaseRequestHandler):
    server: _Server
    request: socket.socket

    def handle(self) -> None:
        uid = peer_uid(self.request)
        if uid != os.getuid():
            self._reply({"ok": False, "error": f"uid {uid} may not control a daemon of uid {os.getuid()}"})
            return
        lines = _Lines(self.request)
        while True:
            deadline = time.monotonic() + REQUEST_DEADLINE_S
            try:
                line = lines.read(deadline, MAX_LINE_BYTES)
                if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                    if not self._discard_rest_of_line(lines, deadline):
                        return
                    self._reply({"ok": False, "error": f"request longer than {MAX_LINE_BYTES} bytes"})
                    continue
            except TimeoutError:
                if lines.buffer:  # idle between requests is no error; a half-sent request is
                    self._reply({"ok": False, "error": f"request not complete within {REQUEST_DEADLINE_S:g} s"})
                    self._drain()
                return
            except OSError:
                return
            if not line:
                return
            command, problem = parse_request(line)
            if command is None:
                self._reply({"ok": False, "error": problem})
                continue
            try:
                reply = self.server.handler(command)
            except Exception as error:  # a handler bug must cost one reply, not the daemon
                reply = {"ok": False, "error": f"{type(error).__name__}: {error}"}
            self._reply(reply)

    def _discard_rest_of_line(self, lines: _Lines, deadline: float) -> bool:
        """Skip the oversized line so the client can read its error reply; False if it never ends."""
        for _ in range(_MAX_DISCARD_BYTES // MAX_LINE_BYTES):
            chunk = lines.read(deadline, MAX_LINE_BYTES)
            if not chunk:
                return False
            if chunk.endswith(b"\n"):
                return True
        return False

    def _drain(self) -> None:
        """Read what the client sent meanwhile: closing over unread bytes resets the connection,
        and a reset can reach the client before it has read its error reply."""
        with contextlib.suppress(OSError):
            self.request.setblocking(False)
            for _ in range(64):
                if not self.request.recv(65536):
                    break

    def _reply(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):
            self.request.settimeout(REQUEST_DEADLINE_S)
            self.request.sendall(encode(message))


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG  # socketserver's 5 turns away a burst of status requests
    handler: Handler


class ControlServer:
    def __init__(self, path: Path, handler: Handler) -> None:
        self.path = path
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        previous = os.umask(0o177)  # the socket is born 0600: no window where others could connect
        try:
            self._server = _Server(str(path), _Connection)
        finally:
            os.umask(previous)
        os.chmod(path, 0o600)
        self._server.handler = handler
        self._thread = threading.Thread(target=self._server.serve_forever, name="control", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
