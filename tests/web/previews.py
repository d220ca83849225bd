"""Helpers for tests of the preview server: start a session with it, talk HTTP to it."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from recordings import camd

_URL = re.compile(r"^camd: preview: (http://\S+)$", re.MULTILINE)


def start_with_preview(tmp_path: Path, *extra: str) -> tuple[Path, str]:
    """``camd start`` of two small synthetic cameras; returns the session and the printed URL."""
    cameras = ["--camera", "left=synthetic:?width=320&height=240", "--camera", "right=synthetic:?width=320&height=240"]
    result = camd("start", *cameras, "--output", str(tmp_path), "--session", "s", *extra)
    assert result.returncode == 0, result.stderr
    found = _URL.search(result.stderr)
    assert found, result.stderr
    return Path(result.stdout.strip()), found.group(1)


def start_config_with_preview(tmp_path: Path, cameras: list[dict[str, Any]]) -> tuple[Path, str]:
    """``camd start`` of a session TOML holding ``cameras`` (which may carry an analysis callback)."""
    import tomli_w

    config = tmp_path / "preview.toml"
    config.write_text(tomli_w.dumps({"session": {"output": str(tmp_path), "name": "s"}, "cameras": cameras}))
    result = camd("start", str(config))
    assert result.returncode == 0, result.stderr
    found = _URL.search(result.stderr)
    assert found, result.stderr
    return Path(result.stdout.strip()), found.group(1)


def http(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def http_json(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    status, _, body = http(url, method, headers)
    data: dict[str, Any] = json.loads(body)
    return status, data
