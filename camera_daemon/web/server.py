"""The preview server: the page, its assets and the JSON API, on its own thread and event loop.

aiohttp serves it: one well-kept package that is both the HTTP server and the app framework, and
runs inside a thread we own (an ``AppRunner`` on a private event loop, no signal handlers taken),
so the daemon, ``camd run`` and ``camd preview`` each host it beside their own loop without an
extra process or an ASGI server in between.

The server knows nothing of recording: whoever hosts it passes a ``Controls`` with three callables
(status, act, taps). It never touches a recorded frame: tiles come from the taps (frames.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from aiohttp import web

from camera_daemon.config import PreviewConfig
from camera_daemon.errors import CamdError
from camera_daemon.web.access import TOKEN_HEADER, AccessRules, new_token
from camera_daemon.web.frames import TileSource

_PORTS_TRIED = 50
_ASSETS = {"preview.js": "text/javascript", "preview.css": "text/css"}
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; frame-ancestors 'none'",
}
ACTIONS = ("pause", "resume", "stop")


@dataclass(frozen=True)
class Controls:
    """What the host gives the server: the ``camd status --json`` payload, the control actions
    (``pause``, ``resume``, ``stop``; each returns the control socket's reply), and camera -> tap."""

    status: Callable[[], dict[str, Any]]
    act: Callable[[str], dict[str, Any]]
    taps: Callable[[], dict[str, str]]
    mode: str = "recording"  # "preview" when the cameras are only shown, never saved


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
    raise CamdError(f"preview: cannot listen on {bind} ports {first}-{first + _PORTS_TRIED - 1} ({reason}); "
                    "set [preview] port or --preview-port, or pass --no-preview")


class PreviewServer:
    def __init__(self, settings: PreviewConfig, controls: Controls, log: logging.Logger) -> None:
        self.settings = settings
        self.controls = controls
        self.log = log
        self.token = settings.token or new_token()
        self.rules = AccessRules(settings.bind, self.token)
        self.tiles = TileSource(settings.rate)
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def public_url(self) -> str:
        """The URL to print: with the token when this server demands one."""
        return f"{self.url}?token={self.token}" if self.rules.token_required else self.url

    def start(self, timeout_s: float = 30.0) -> str:
        sock = bind_free_port(self.settings.bind, self.settings.port)
        host, port = sock.getsockname()[:2]
        if host in ("0.0.0.0", "::"):  # every address: name the machine, which other hosts can reach
            host = socket.gethostname()
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{port}/"
        self._thread = threading.Thread(target=self._serve, args=(sock,), name="preview", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout_s) or self._error is not None:
            raise CamdError(f"preview: the server did not start ({self._error}); --no-preview records without it")
        return self.public_url

    def _serve(self, sock: socket.socket) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._runner = web.AppRunner(self._app(), access_log=None, handle_signals=False)
            loop.run_until_complete(self._runner.setup())
            loop.run_until_complete(web.SockSite(self._runner, sock).start())
        except BaseException as error:
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(self._runner.cleanup())
        loop.close()

    def close(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        self.tiles.close()

    def _app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=4096)
        app.router.add_get("/", self._page)
        app.router.add_get("/assets/{name}", self._asset)
        app.router.add_get("/api/status", self._status)
        app.router.add_post("/api/{action}", self._action)
        app.router.add_get("/api/cameras/{name}/frame.jpg", self._frame)
        return app

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        token = request.headers.get(TOKEN_HEADER) or request.query.get("token")
        why = self.rules.refusal(request.method, request.path, request.host, request.headers.get("Origin"), token)
        if why is not None:
            self.log.warning("preview: refused %s %s from %s: %s", request.method, request.path, request.remote, why)
            response: web.StreamResponse = _json({"ok": False, "error": why}, status=403)
        else:
            try:
                response = await handler(request)
            except web.HTTPException as error:
                response = _json({"ok": False, "error": error.reason}, status=error.status)
        response.headers.update(_HEADERS)
        return response

    async def _page(self, request: web.Request) -> web.Response:
        text = _asset_text("index.html")
        text = text.replace("{{RATE}}", f"{self.settings.rate:g}").replace("{{MODE}}", self.controls.mode)
        return web.Response(text=text, content_type="text/html")

    async def _asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in _ASSETS:  # a fixed list: no path from the URL ever reaches the file system
            raise web.HTTPNotFound(reason=f"no asset {name!r}")
        return web.Response(text=_asset_text(name), content_type=_ASSETS[name])

    async def _status(self, request: web.Request) -> web.Response:
        data = await asyncio.get_running_loop().run_in_executor(None, self.controls.status)
        return _json(data)

    async def _action(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        if action not in ACTIONS:
            raise web.HTTPNotFound(reason=f"no action {action!r}; use pause, resume or stop")
        self.log.info("%s requested from the preview page (%s)", action, request.remote)
        reply = await asyncio.get_running_loop().run_in_executor(None, self.controls.act, action)
        return _json(reply, status=200 if reply.get("ok") else 409)

    async def _frame(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        tap = self.controls.taps().get(name)
        if tap is None:
            raise web.HTTPNotFound(reason=f"no camera {name!r}")
        tile = await asyncio.get_running_loop().run_in_executor(None, self.tiles.tile, tap)
        if tile is None:
            raise web.HTTPServiceUnavailable(reason=f"camera {name!r} has no frame yet")
        headers = {"X-Frame-Index": str(tile.frame_index), "X-Host-Time-Us": str(tile.host_time_us)}
        return web.Response(body=tile.jpeg, content_type="image/jpeg", headers=headers)


def _json(data: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(data), status=status, content_type="application/json")


def _asset_text(name: str) -> str:
    return resources.files("camera_daemon.web").joinpath("static", name).read_text()
