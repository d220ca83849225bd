"""Outputs are never overwritten silently; --force replaces them with identical results."""

from pathlib import Path

import pytest

from camera_daemon.post.errors import PostOutputExistsError
from camera_daemon.post.options import PostOptions
from camera_daemon.post.workflow import run_post

from readback import decoded_hash
from sessions import Recorded


def test_rerun_needs_force_and_force_reproduces_the_output(three_cameras: tuple[Path, dict[str, Recorded]]) -> None:
    folder, _ = three_cameras
    first = run_post(folder, PostOptions(progress=False, dedupe=True, debug=True))
    first_hash = decoded_hash(first.video)
    aligned_before = (folder / "post" / "aligned.csv").read_bytes()
    assert (folder / "post" / "dedupe.compare.mkv").exists()

    with pytest.raises(PostOutputExistsError, match="--force") as refused:
        run_post(folder, PostOptions(progress=False))
    assert "\n" not in str(refused.value)
    assert decoded_hash(first.video) == first_hash, "a refused run touches nothing"

    again = run_post(folder, PostOptions(progress=False, dedupe=True), force=True)
    assert decoded_hash(again.video) == first_hash
    assert (folder / "post" / "aligned.csv").read_bytes() == aligned_before
    assert not (folder / "post" / "dedupe.compare.mkv").exists(), "stale debug output of the step is gone"
    assert not list((folder / "post").glob("*.partial"))
