"""The manifest's checksum is the video's: a copy can be verified with any sha256 tool."""

from __future__ import annotations

import hashlib
from pathlib import Path

from recordings import camd, checksummed_manifest


def test_manifest_sha256_matches_the_video(tmp_path: Path) -> None:
    args = ["run", "--camera", "a=synthetic:?width=64&height=48&fps=50", "--duration", "0.5"]
    result = camd(*args, "--output", str(tmp_path), "--session", "s", "--quiet")
    assert result.returncode == 0, result.stderr
    entry = checksummed_manifest(tmp_path / "s")["cameras"]["a"]
    video = tmp_path / "s" / "a.mkv"
    assert entry["sha256"] == hashlib.sha256(video.read_bytes()).hexdigest()
