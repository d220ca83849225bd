"""The daemon's control socket: a small threaded server that turns request lines into handler calls.

It must never fall over on bad input: every malformed, oversized or unknown request gets an error
reply, and the recording goes on. A connection that sends nothing is dropped after a timeout so it
cannot hold a thread forever.
"""

from __future__ import annotations

import contextlib
import os
import socketserver
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from camera_daemon.daemon.protocol import MAX_LINE_BYTES, encode, parse_request

Handler = Callable[[str], dict[str, Any]]
_READ_TIMEOUT_S = 5.0
_MAX_DISCARD_BYTES = 64 << 20


class _Connection(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        self.connection.settimeout(_READ_TIMEOUT_S)
        while True:
            try:
                line = self.rfile.readline(MAX_LINE_BYTES + 1)
            except (TimeoutError, OSError):
                return
            if not line:
                return
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                if not self._discard_rest_of_line():
                    return
                self._reply({"ok": False, "error": f"request longer than {MAX_LINE_BYTES} bytes"})
                continue
            command, problem = parse_request(line)
            if command is None:
                self._reply({"ok": False, "error": problem})
                continue
            try:
                reply = self.server.handler(command)
            except Exception as error:  # a handler bug must cost one reply, not the daemon
                reply = {"ok": False, "error": f"{type(error).__name__}: {error}"}
            self._reply(reply)

    def _discard_rest_of_line(self) -> bool:
        """Skip the oversized line so the client can read its error reply; False if it never ends."""
        for _ in range(_MAX_DISCARD_BYTES // MAX_LINE_BYTES):
            try:
                chunk = self.rfile.readline(MAX_LINE_BYTES)
            except (TimeoutError, OSError):
                return False
            if not chunk:
                return False
            if chunk.endswith(b"\n"):
                return True
        return False

    def _reply(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):
            self.wfile.write(encode(message))
            self.wfile.flush()


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
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
