"""Passwords in camera sources are never written or printed; ${VAR} references are expanded only
where the camera opens."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from recordings import CAMD, camd, manifest

PASSWORD = "s3cretPW-q7"
URL = f"http://user:{PASSWORD}@127.0.0.1:9/stream"  # port 9: refused at once, so the camera fails fast


def _files_containing(folder: Path, needle: str) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and needle.encode() in path.read_bytes()]


def test_password_in_source_is_written_and_printed_masked(tmp_path):
    result = camd("run", "--camera", f"ip=opencv:{URL}", "--output", str(tmp_path / "out"), "--session", "s")
    assert result.returncode == 1, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert "http://user:***@127.0.0.1:9/stream" in result.stderr
    session = tmp_path / "out" / "s"
    assert (session / "session.toml").exists() and (session / "manifest.json").exists()
    assert _files_containing(session, PASSWORD) == []
    assert 'source = "http://user:***@127.0.0.1:9/stream"' in (session / "session.toml").read_text()


def test_camd_start_masks_the_password_but_the_daemon_uses_it(tmp_path):
    env = {**os.environ, "CAMD_RUNTIME_DIR": str(tmp_path / "runtime")}
    args = [*CAMD, "start", "--camera", f"ip=opencv:{URL}", "--output", str(tmp_path / "out"), "--session", "s"]
    result = subprocess.run(
        [*args, "--name", "cred"], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 1, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert _files_containing(tmp_path, PASSWORD) == []
    # the daemon tried the real URL: OpenCV reached the port (refused), which a masked URL never would
    assert "Connection to tcp://127.0.0.1:9 failed" in (tmp_path / "out" / "s" / "logs" / "ip.worker.log").read_text()


def test_environment_reference_is_expanded_only_at_open(tmp_path):
    import cv2
    import numpy as np

    hidden = tmp_path / "hidden-Zq81"
    hidden.mkdir()
    writer = cv2.VideoWriter(str(hidden / "clip.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 25.0, (64, 48))
    for index in range(30):
        writer.write(np.full((48, 64, 3), index * 8, np.uint8))
    writer.release()
    env = {**os.environ, "CLIP_DIR": str(hidden), "COLUMNS": "200"}
    args = [*CAMD, "run", "--camera", "clip=opencv:${CLIP_DIR}/clip.mp4", "--output", str(tmp_path / "out")]
    result = subprocess.run([*args, "--session", "s", "--quiet"], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    session = tmp_path / "out" / "s"
    assert manifest(session)["cameras"]["clip"]["frames_in_video"] == 30
    assert 'source = "${CLIP_DIR}/clip.mp4"' in (session / "session.toml").read_text()
    assert _files_containing(session, "hidden-Zq81") == []


def test_unset_reference_names_the_variable(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CAM_PASS"}
    args = [*CAMD, "run", "--camera", "ip=opencv:rtsp://u:${CAM_PASS}@127.0.0.1:9/s", "--output", str(tmp_path)]
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    assert "${CAM_PASS}, which is not set; export CAM_PASS" in result.stderr


def test_password_holding_an_at_sign_and_secret_query_parameters_are_masked(tmp_path):
    """OpenCV splits the userinfo at the last '@', so everything before it is the password; secret
    query parameters are passwords too."""
    source = "http://bob:S3cr@tPW@127.0.0.1:9/x.mjpg?user=bob&Password=Qz9secret&token=${CAM_TOKEN}"
    env = {**os.environ, "CAM_TOKEN": "tok"}
    args = [*CAMD, "run", "--camera", f"ip=opencv:{source}", "--output", str(tmp_path / "out"), "--session", "s"]
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    session = tmp_path / "out" / "s"
    for secret in ("tPW", "S3cr", "Qz9secret"):
        assert secret not in result.stdout + result.stderr
        assert _files_containing(session, secret) == []
    masked = "http://bob:***@127.0.0.1:9/x.mjpg?user=bob&Password=***&token=${CAM_TOKEN}"
    assert f'source = "{masked}"' in (session / "session.toml").read_text()
