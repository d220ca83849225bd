"""The preview server: the page, its assets and the JSON API, on its own thread and event loop.

aiohttp serves it: one well-kept package that is both the HTTP server and the app framework, and
runs inside a thread we own (an ``AppRunner`` on a private event loop, no signal handlers taken),
so the daemon, ``camd run`` and ``camd preview`` each host it beside their own loop without an
extra process or an ASGI server in between.

The server knows nothing of recording: whoever hosts it passes a ``Controls`` (controls.py). It
never touches a recorded frame: tiles come from the taps (frames.py).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading

from camera_daemon.config import PreviewConfig
from camera_daemon.errors import CamdError
from camera_daemon.web.access import AccessRules, new_token
from camera_daemon.web.controls import Controls
from camera_daemon.web.frames import TileSource

_PORTS_TRIED = 50


def bind_free_port(bind: str, first: int) -> socket.socket:
    """A listening socket on ``first`` or the next port that is free (up to 50 further)."""
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    last_error: OSError | None = None
    for port in range(first, min(65536, first + _PORTS_TRIED)):
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.bind((bind.strip("[]"), port))
            sock.listen(128)
            return sock
        except OSError as error:
            sock.close()
            last_error = error
            if error.errno not in (98, 13):  # EADDRINUSE, EACCES: try the next; anything else is final
                break
    reason = last_error.strerror if last_error is not None else "no port"
    raise CamdError(
        f"preview: cannot listen on {bind} ports {first}-{first + _PORTS_TRIED - 1} ({reason}); "
        "set [preview] port or --preview-port, or pass --no-preview"
    )


class PreviewServer:
    def __init__(self, settings: PreviewConfig, controls: Controls, log: logging.Logger) -> None:
        self.settings = settings
        self.controls = controls
        self.log = log
        self.token = settings.token or new_token()
        self.rules = AccessRules(settings.bind, self.token)
        self.tiles = TileSource(settings.rate, settings.width)
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closing = threading.Event()

    @property
    def public_url(self) -> str:
        """The URL to print: with the token when this server demands one."""
        return f"{self.url}?token={self.token}" if self.rules.token_required else self.url

    def start(self) -> str:
        """Listens at once and returns the URL; the app comes up on its own thread.

        The socket is bound here, so the URL printed is the one that answers and a request that
        arrives early waits in the backlog; aiohttp is imported on the server's thread, so a
        recording's start never waits for it.
        """
        sock = bind_free_port(self.settings.bind, self.settings.port)
        host, port = sock.getsockname()[:2]
        if host in ("0.0.0.0", "::"):  # every address: name the machine, which other hosts can reach
            host = socket.gethostname()
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}/"
        self._thread = threading.Thread(target=self._serve, args=(sock,), name="preview", daemon=True)
        self._thread.start()
        return self.public_url

    def _serve(self, sock: socket.socket) -> None:
        from aiohttp import web

        from camera_daemon.web.app import build_app

        loop = asyncio.new_event_loop()
        try:
            runner = web.AppRunner(build_app(self), access_log=None, handle_signals=False)
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.SockSite(runner, sock).start())
        except Exception as error:
            self.log.warning("preview: the server did not start (%s); the recording goes on without it", error)
            sock.close()
            loop.close()
            return
        self._loop = loop
        if not self._closing.is_set():
            loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    def close(self) -> None:
        self._closing.set()
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self.tiles.close()
