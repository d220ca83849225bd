"""`camd stitch` on a folder that is not a session looks only where a session keeps its files."""

from __future__ import annotations

from pathlib import Path

from recordings import camd


def test_a_folder_holding_unrelated_archives_below_is_not_a_session(tmp_path: Path) -> None:
    parent = tmp_path / "projects"
    archive = parent / "2025" / "mouse1" / "cameras_data_log" / "1_log.npz"
    archive.parent.mkdir(parents=True)
    archive.write_bytes(b"not an archive of this folder")
    result = camd("stitch", str(parent))
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"camd: error: {parent}: not a session folder (no manifest.json, and no ataraxis-video-system "
        "*_log.npz in it or its *_data_log folder); pass the session folder itself"
    ]
    assert not (parent / "post").exists()
