"""The preview's routes: the page, its assets, the JSON API and the tiles (aiohttp handlers).

Every request passes the access rules (access.py) first, and every response carries headers that
keep it out of other sites' frames and caches; none carries a CORS allow header.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any, Protocol

from aiohttp import web

from camera_daemon.config import PreviewConfig
from camera_daemon.web.access import TOKEN_HEADER, AccessRules, stranger
from camera_daemon.web.controls import Controls
from camera_daemon.web.frames import TileSource


class PreviewServer(Protocol):
    """What the routes use of the server that hosts them (server.py)."""

    settings: PreviewConfig
    controls: Controls
    log: logging.Logger
    rules: AccessRules
    tiles: TileSource


_ASSETS = {"preview.js": "text/javascript", "preview.css": "text/css"}
_HEADERS = {
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:; frame-ancestors 'none'",
}
ACTIONS = ("pause", "resume", "stop")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_app(server: PreviewServer) -> web.Application:
    routes = _Routes(server)

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        return await routes.guard(request, handler)

    app = web.Application(middlewares=[guard], client_max_size=4096)
    app.router.add_get("/", routes.page)
    app.router.add_get("/assets/{name}", routes.asset)
    app.router.add_get("/api/status", routes.status)
    app.router.add_post("/api/{action}", routes.action)
    app.router.add_get("/api/cameras/{name}/frame.jpg", routes.frame)
    return app


class _Routes:
    def __init__(self, server: PreviewServer) -> None:
        self.server = server
        self.controls = server.controls
        self.log = server.log

    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        token = request.headers.get(TOKEN_HEADER) or request.query.get("token")
        origin = request.headers.get("Origin")
        why = None
        if self.server.rules.loopback and request.transport is not None:
            transport = request.transport
            why = stranger(transport.get_extra_info("peername"), transport.get_extra_info("sockname"))
        if why is None:
            why = self.server.rules.refusal(request.method, request.path, request.host, origin, token)
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

    async def page(self, request: web.Request) -> web.Response:
        text = _asset_text("index.html")
        text = text.replace("{{RATE}}", f"{self.server.settings.rate:g}").replace("{{MODE}}", self.controls.mode)
        return web.Response(text=text, content_type="text/html")

    async def asset(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in _ASSETS:  # a fixed list: no path from the URL ever reaches the file system
            raise web.HTTPNotFound(reason=f"no asset {name!r}")
        return web.Response(text=_asset_text(name), content_type=_ASSETS[name])

    async def status(self, request: web.Request) -> web.Response:
        data = await asyncio.get_running_loop().run_in_executor(None, self.controls.status)
        return _json(data)

    async def action(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        if action not in ACTIONS:
            raise web.HTTPNotFound(reason=f"no action {action!r}; use pause, resume or stop")
        self.log.info("%s requested from the preview page (%s)", action, request.remote)
        reply = await asyncio.get_running_loop().run_in_executor(None, self.controls.act, action)
        return _json(reply, status=200 if reply.get("ok") else 409)

    async def frame(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        tap = self.controls.taps().get(name)
        if tap is None:
            raise web.HTTPNotFound(reason=f"no camera {name!r}")
        tile = await asyncio.get_running_loop().run_in_executor(None, self.server.tiles.tile, tap)
        if tile is None:
            raise web.HTTPServiceUnavailable(reason=f"camera {name!r} has no frame yet")
        headers = {"X-Frame-Index": str(tile.frame_index), "X-Host-Time-Us": str(tile.host_time_us)}
        return web.Response(body=tile.jpeg, content_type="image/jpeg", headers=headers)


def _json(data: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(data), status=status, content_type="application/json")


def _asset_text(name: str) -> str:
    return resources.files("camera_daemon.web").joinpath("static", name).read_text()
