"""`camd run` and `camd preview` host the page too: the URL on stdout, frames, and the page's stop."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import cv2
import numpy as np
from previews import http, http_json
from processes import wait_until

from camera_daemon.cameras.framecode import read_counter

from recordings import CAMD, camd, manifest


def _url_from(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()  # the first line, printed before any camera opens
    assert line.startswith("preview: http://"), line
    return line.split()[1]


def _counter(url: str, camera: str) -> int:
    def fetch() -> bytes | None:
        code, _, body = http(f"{url}api/cameras/{camera}/frame.jpg")
        return body if code == 200 else None

    deadline = time.monotonic() + 60
    body = fetch()
    while body is None:  # 503 until the camera opened and published its first frame
        assert time.monotonic() < deadline, f"no frame from {camera}"
        time.sleep(0.05)
        body = fetch()
    return read_counter(cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_GRAYSCALE))


def test_camd_preview_shows_cameras_records_nothing_and_stops_from_the_page(tmp_path: Path) -> None:
    args = [*CAMD, "preview", "--camera", "a=synthetic:?width=160&height=120", "--camera", "b=synthetic"]
    process = subprocess.Popen(
        args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        url = _url_from(process)
        first = _counter(url, "a")
        assert _counter(url, "b") >= 0
        wait_until(lambda: _counter(url, "a") > first, 30, "a preview frame newer than the first")
        status = http_json(url + "api/status")[1]
        assert [c["name"] for c in status["cameras"]] == ["a", "b"]
        assert status["cameras"][0]["frames_acquired"] > 0 and status["cameras"][0]["frames_written"] == 0
        code, reply = http_json(url + "api/pause", "POST", {"Origin": url.rstrip("/")})
        assert code == 409 and "nothing is recorded" in reply["error"]
        assert http_json(url + "api/stop", "POST", {"Origin": url.rstrip("/")})[0] == 200
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "stop requested from the preview page" in stderr
    assert list(tmp_path.iterdir()) == []  # no session folder, no file of any kind
    assert not [name for name in os.listdir("/dev/shm") if name.startswith(f"camd-tap-{process.pid}-")]


def test_camd_run_serves_the_page_and_stops_when_the_page_says_so(tmp_path: Path) -> None:
    args = [*CAMD, "run", "--camera", "a=synthetic:?width=160&height=120", "--output", str(tmp_path), "--session", "s"]
    process = subprocess.Popen(
        [*args, "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CAMD_RUNTIME_DIR": str(tmp_path / "runtime")},
    )
    try:
        url = _url_from(process)
        assert _counter(url, "a") >= 0
        origin = {"Origin": url.rstrip("/")}
        assert http_json(url + "api/pause", "POST", origin) == (200, {"ok": True, "state": "paused"})
        assert http_json(url + "api/status")[1]["state"] == "paused"
        assert http_json(url + "api/stop", "POST", origin)[0] == 200
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0 and stderr == ""
    session = tmp_path / "s"
    assert manifest(session)["exit_state"] == "stopped"
    log = camd("logs", "--session", str(session)).stdout
    assert "pause requested from the preview page" in log and "stop requested from the preview page" in log


def test_preview_usage_errors_are_one_line(tmp_path: Path) -> None:
    no_camera = camd("preview")
    assert no_camera.returncode == 2
    assert no_camera.stderr.startswith("camd: error: no cameras") and no_camera.stderr.count("\n") == 1
    bad_port = camd("run", "--camera", "a=synthetic", "--preview-port", "0", "--output", str(tmp_path))
    assert bad_port.returncode == 2 and "--preview-port" in bad_port.stderr and bad_port.stderr.count("\n") == 1
    assert not (tmp_path / "s").exists()


def test_preview_help_names_the_preview_table() -> None:
    helped = camd("preview", "--help")
    assert helped.returncode == 0, helped.stderr
    assert "only cameras and [preview] are used" in " ".join(helped.stdout.replace("│", " ").split())
