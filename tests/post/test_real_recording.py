"""The post stage on a session the recorder itself wrote (synthetic cameras, real encoders)."""

from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv

from camera_daemon.cameras.framecode import read_counter
from camera_daemon.cameras.synthetic import content_sequence
from camera_daemon.config import parse_config
from camera_daemon.post.load import load_session
from camera_daemon.post.options import PostOptions, StitchMode
from camera_daemon.post.stitch.mosaic import MosaicLayout, tile_region
from camera_daemon.post.workflow import run_post
from camera_daemon.recording import record

from readback import decoded

REPEATS = [12, 13, 30]


def _contents(frame_ids: np.ndarray, repeats: list[int]) -> list[int]:  # type: ignore[type-arg]
    """What the synthetic camera drew for each recorded frame, from its logged device counter."""
    contents, previous = [], 0
    for slot in frame_ids:
        previous = content_sequence(int(slot), frozenset(repeats), previous)
        contents.append(previous)
    return contents


def test_recorded_session_stitches_and_dedupes(tmp_path: Path) -> None:
    cameras = [
        {"name": "left", "width": 320, "height": 240, "fps": 30, "scene": "slow", "repeat_frames": REPEATS},
        {"name": "right", "width": 160, "height": 120, "fps": 25, "drop_frames": [9]},
    ]
    # ffv1: the synthetic camera's repeats advance its frame counter (a re-sent buffer), which only a
    # lossless video can prove; in a lossy one an advanced counter is trusted as a new exposure
    session_section = {"output": str(tmp_path), "name": "rec", "duration_s": 1.5}
    config = parse_config({"cameras": cameras, "session": session_section, "encoder": {"codec": "ffv1"}})
    folder, _ = record(config)
    session = load_session(folder)
    truth = {t.name: _contents(t.camera_frame_id, REPEATS if t.name == "left" else []) for t in session.cameras}

    mosaic = run_post(folder, PostOptions(progress=False))
    aligned = pacsv.read_csv(folder / "post" / "aligned.csv")
    layout = MosaicLayout.plan([(t.name, t.width, t.height) for t in session.cameras], colour=False)
    rows = 0
    for row, (canvas, _) in enumerate(decoded(mosaic.video, fmt="gray")):
        for tile in layout.tiles:
            index = aligned.column(tile.name)[row].as_py()
            pixels = canvas[tile.top : tile.top + tile.height, tile.left : tile.left + tile.width]
            if index is None:
                assert tile_region(canvas, tile).mean() < 25
            else:
                assert read_counter(pixels) == truth[tile.name][index]
        rows += 1
    assert rows == aligned.num_rows == session.camera("left").frame_count

    deduped = run_post(
        folder, PostOptions(mode=StitchMode.concat, cameras=("left",), dedupe=True, progress=False), force=True
    )
    left = truth["left"]
    repeated = [i for i in range(1, len(left)) if left[i] == left[i - 1]]
    assert len(repeated) >= 2, "the recording should contain the injected repeats"
    report = pacsv.read_csv(folder / "post" / "dedupe.csv")
    assert report.column("source_frame_index").to_pylist() == repeated
    assert [read_counter(p) for p, _ in decoded(deduped.video, fmt="gray")] == sorted(set(left))
