"""Who the preview answers on loopback, and the headers every answer carries: another user on the
same machine reaches 127.0.0.1 too, and must neither watch nor stop the recording."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from previews import http, http_json, start_with_preview

from recordings import camd, manifest

NOBODY = 65534
# The child runs as another user, who may not read this interpreter's own libraries.
_PYTHON = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
_REQUEST = """
import sys, urllib.error, urllib.request
url, method, origin = sys.argv[1:4]
request = urllib.request.Request(url, method=method, headers={"Origin": origin}, data=b"" if method == "POST" else None)
try:
    print(urllib.request.urlopen(request, timeout=30).status)
except urllib.error.HTTPError as error:
    print(error.code)
"""


def _as_nobody(url: str, method: str, origin: str) -> int:
    result = subprocess.run(
        [_PYTHON, "-I", "-c", _REQUEST, url, method, origin],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
        preexec_fn=lambda: os.setuid(NOBODY),
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout)


@pytest.mark.skipif(os.getuid() != 0, reason="making a request as another user needs root")
def test_another_local_user_is_refused_and_every_answer_has_the_guard_headers(tmp_path: Path, runtime: Path) -> None:
    session, url = start_with_preview(tmp_path)
    origin = url.rstrip("/")
    try:
        strangers = (("api/status", "GET"), ("api/pause", "POST"), ("api/cameras/left/frame.jpg", "GET"), ("", "GET"))
        for path, method in strangers:
            assert _as_nobody(url + path, method, origin) == 403, path
        assert http_json(url + "api/status")[1]["state"] == "recording"  # the stranger's pause did nothing
        code, headers, _ = http(url + "api/pause", "POST", {"Origin": origin})
        assert code == 200 and http_json(url + "api/status")[1]["state"] == "paused"  # our own uid still can

        paths = ("", "assets/preview.js", "api/status", "api/cameras/left/frame.jpg", "api/cameras/no/frame.jpg", "x")
        for path in paths:
            code, headers, _ = http(url + path)
            assert headers.get("Cross-Origin-Resource-Policy") == "same-origin", (path, code)
            assert headers.get("X-Frame-Options") == "DENY", (path, code)
            assert headers.get("X-Content-Type-Options") == "nosniff", (path, code)
    finally:
        stopped = camd("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert manifest(session)["exit_state"] == "stopped"
    log = camd("logs", "--session", str(session)).stdout
    assert f"refused POST /api/pause from 127.0.0.1: uid {NOBODY} is not the user running camd" in log
