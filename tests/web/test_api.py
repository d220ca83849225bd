"""The preview's HTTP API against a real `camd start` session: same fields as `camd status --json`,
frames decoded from the JPEGs, and the access rules (same-origin, no CORS, nothing outside)."""

from __future__ import annotations

import json
import socket
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit

import cv2
import numpy as np
from previews import http, http_json, start_with_preview

from camera_daemon.cameras.framecode import read_counter

from recordings import camd, manifest


def _raw_get(url: str, path: str, host: str) -> int:
    """A GET with a Host header of our choosing, as a rebound DNS name would send it."""
    parts = urlsplit(url)
    connection = HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_api_mirrors_status_and_serves_frames_and_refuses_foreign_requests(tmp_path: Path, runtime: Path) -> None:
    session, url = start_with_preview(tmp_path)
    origin = url.rstrip("/")
    try:
        assert urlsplit(url).hostname == "127.0.0.1"
        status, api = http_json(url + "api/status")
        cli = camd("status", "--json")
        assert status == 200 and cli.returncode == 0, cli.stderr
        from_cli = json.loads(cli.stdout)
        assert set(api) == set(from_cli)
        assert [c["name"] for c in api["cameras"]] == ["left", "right"]
        assert all(set(a) == set(c) for a, c in zip(api["cameras"], from_cli["cameras"], strict=True))
        assert api["session"] == str(session) and api["state"] == "recording"

        counters = []
        for _ in range(2):
            code, headers, body = http(url + "api/cameras/left/frame.jpg")
            assert code == 200 and headers["Content-Type"] == "image/jpeg"
            image = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_GRAYSCALE)
            assert image.shape == (240, 320)
            counters.append(read_counter(image))
            assert int(headers["X-Frame-Index"]) >= 0
        assert counters[1] >= counters[0] > 0

        # A cross-site page, or a script without Origin or token, cannot pause; the page itself can.
        assert http_json(url + "api/pause", "POST", {"Origin": "http://evil.example"})[0] == 403
        assert http_json(url + "api/pause", "POST")[0] == 403
        assert http_json(url + "api/status")[1]["state"] == "recording"
        code, headers, _ = http(url + "api/pause", "POST", {"Origin": origin})
        assert code == 200 and not any(h.lower().startswith("access-control-") for h in headers)
        assert http_json(url + "api/status")[1]["state"] == "paused"
        assert http_json(url + "api/resume", "POST", {"Origin": origin}) == (200, {"ok": True, "state": "recording"})

        # Nothing outside the session: no file path from the URL, no unknown camera, no foreign Host.
        for path in ("assets/..%2f..%2fconfig.py", "assets/../server.py", "api/cameras/..%2fleft/frame.jpg"):
            assert http(url + path)[0] == 404, path
        assert http(url + "api/cameras/nobody/frame.jpg")[0] == 404
        assert _raw_get(url, "/api/status", f"rebound.example:{urlsplit(url).port}") == 403
        assert http(url + "assets/preview.js")[0] == 200
    finally:
        stopped = camd("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert manifest(session)["exit_state"] == "stopped"
    log = camd("logs", "--session", str(session)).stdout
    assert "pause requested from the preview page" in log and "resume requested from the preview page" in log
    assert "refused POST /api/pause" in log


def test_a_taken_port_moves_to_the_next_and_no_preview_serves_nothing(tmp_path: Path, runtime: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        _, url = start_with_preview(tmp_path, "--preview-port", str(port))
        try:
            assert urlsplit(url).port not in (None, port)
            assert http_json(url + "api/status")[0] == 200
        finally:
            assert camd("stop").returncode == 0
    quiet = camd(
        "start",
        "--camera",
        "a=synthetic:?width=160&height=120",
        "--output",
        str(tmp_path),
        "--session",
        "q",
        "--no-preview",
    )
    try:
        assert quiet.returncode == 0 and "preview" not in quiet.stderr
    finally:
        assert camd("stop").returncode == 0


def test_a_network_bind_needs_the_token_which_is_printed_once_and_never_saved(tmp_path: Path, runtime: Path) -> None:
    config = tmp_path / "net.toml"
    config.write_text(
        '[preview]\nbind = "0.0.0.0"\ntoken = "s3cret-token-for-the-lab"\n\n'
        '[[cameras]]\nname = "a"\nwidth = 160\nheight = 120\n'
    )
    result = camd("start", str(config), "--output", str(tmp_path), "--session", "n")
    assert result.returncode == 0, result.stderr
    try:
        assert "?token=s3cret-token-for-the-lab" in result.stderr
        assert "camd: warning: the preview listens on 0.0.0.0, reachable from the network" in result.stderr
        port = int(result.stderr.split("?token=")[0].rsplit(":", 1)[1].strip("/"))
        local = f"http://127.0.0.1:{port}/"
        assert http(local)[0] == 200  # the page itself holds nothing; every API call needs the token
        assert http_json(local + "api/status")[0] == 403
        assert http(local + "api/cameras/a/frame.jpg")[0] == 403
        assert http_json(local + "api/status?token=wrong")[0] == 403
        assert http_json(local + "api/status?token=s3cret-token-for-the-lab")[0] == 200
        same_origin_only = {"Origin": local.rstrip("/")}
        assert http_json(local + "api/pause", "POST", same_origin_only)[0] == 403
        code, reply = http_json(local + "api/pause", "POST", {"X-Camd-Token": "s3cret-token-for-the-lab"})
        assert (code, reply["state"]) == (200, "paused")
    finally:
        assert camd("stop").returncode == 0
    session = tmp_path / "n"
    written = "".join(p.read_text(errors="replace") for p in [session / "session.toml", *session.glob("logs/*.log")])
    assert "s3cret" not in written
