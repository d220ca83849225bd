"""Links planted in a session folder at every name camd writes are replaced or ignored, never written through."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recordings import camd, decoded_counters, manifest, table

VICTIM_TEXT = b"another user's file\n"


def _record(tmp_path: Path, container: str) -> Path:
    config = tmp_path / "rig.toml"
    cameras = "".join(f'[[cameras]]\nname = "{name}"\nwidth = 96\nheight = 64\n' for name in "ab")
    config.write_text(f'[encoder]\ncontainer = "{container}"\n{cameras}')
    result = camd("run", str(config), "--output", str(tmp_path / "out"), "--session", "s", "--duration", "1", "--quiet")
    assert result.returncode == 0, result.stderr
    return tmp_path / "out" / "s"


@pytest.mark.parametrize("container", ["mkv", "mp4"])
def test_recover_and_export_never_write_through_planted_links(tmp_path, container):
    session = _record(tmp_path, container)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(VICTIM_TEXT)
    temporary = ["manifest.json.tmp"]
    for name in "ab":
        temporary += [f"{name}.final.{container}", f"{name}.timestamps.csv.tmp"]
    targets = [f"{name}.timestamps.{fmt}" for name in "ab" for fmt in ("npz", "parquet")]
    for link in temporary + targets:
        (session / link).symlink_to(victim)

    result = camd("recover", str(session), "--force")
    assert result.returncode == 0, result.stderr
    for fmt in ("npz", "parquet"):
        exported = camd("timestamps", str(session), "--format", fmt)
        assert exported.returncode == 0, exported.stderr

    assert victim.read_bytes() == VICTIM_TEXT
    assert all((session / link).readlink() == victim for link in temporary)  # left alone, never opened
    assert not any((session / link).is_symlink() for link in targets)  # replaced by the real tables
    data = manifest(session)
    assert data["exit_state"] == "recovered"
    for name in "ab":
        rows = table(session, name)
        assert decoded_counters(session / f"{name}.{container}") == rows["camera_frame_id"].tolist()
        assert data["cameras"][name]["frames_in_video"] == rows["frame_index"].size >= 10
        with np.load(session / f"{name}.timestamps.npz") as npz:
            assert npz["host_time_us"].tolist() == rows["host_time_us"].tolist()
    assert not [path.name for path in session.iterdir() if path.name.startswith(".") and path.name != ".lock"]
