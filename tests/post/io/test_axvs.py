"""A folder recorded by ataraxis-video-system (mp4 + DataLogger archives) aligns and stitches."""

from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv

from camera_daemon.cameras.framecode import read_counter
from camera_daemon.post.load import load_session
from camera_daemon.post.options import PostOptions
from camera_daemon.post.stitch.mosaic import MosaicLayout, tile_region
from camera_daemon.post.workflow import run_post

from readback import decoded, nearest_truth
from sessions import CameraPlan, record_axvs_folder


def test_axvs_folder_aligns_and_stitches(tmp_path: Path) -> None:
    plans = [
        CameraPlan("face", fps=30.0, slots=24, width=160, height=120, host_offset_us=1_000),
        CameraPlan("body", fps=25.0, slots=20, width=160, height=120, start_us=120_000, host_offset_us=500, drops=(7,)),
    ]
    truth = record_axvs_folder(tmp_path / "axvs", plans)
    session = load_session(tmp_path / "axvs")
    assert [track.name for track in session.cameras] == ["face", "body"]
    body = session.camera("body")
    assert np.array_equal(body.utc_time_us, truth[2].utc_time_us)
    assert body.onset_utc_us == truth[2].onset_utc_us and body.pixel_format == "mono8"

    result = run_post(tmp_path / "axvs", PostOptions(progress=False, reference="30fps"))
    aligned = pacsv.read_csv(tmp_path / "axvs" / "post" / "aligned.csv")
    ticks = aligned.column("utc_time_us").to_numpy()
    assert ticks[0] == min(truth[1].utc_time_us[0], truth[2].utc_time_us[0])
    assert np.allclose(np.diff(ticks), 1e6 / 30, atol=1)
    layout = MosaicLayout.plan([("face", 160, 120), ("body", 160, 120)], colour=False)
    # per camera: half of the longer of the reference interval and its own (25 fps body: 20 ms)
    expected = [
        nearest_truth(ticks, truth[i].utc_time_us, max(1e6 / 30, 1e6 / fps) / 2) for i, fps in ((1, 30), (2, 25))
    ]
    frames = list(decoded(result.video, fmt="gray"))
    assert len(frames) == ticks.size
    for row, (canvas, _) in enumerate(frames):
        for tile, source, wanted in zip(layout.tiles, (truth[1], truth[2]), expected, strict=True):
            pixels = canvas[tile.top : tile.top + tile.height, tile.left : tile.left + tile.width]
            if wanted[row] >= 0:
                assert read_counter(pixels) == source.content[wanted[row]]
            else:
                assert tile_region(canvas, tile).mean() < 8
    report = result.summary["cameras"]
    assert report[1]["name"] == "body" and report[1]["drops"] == 1 and report[1]["drops_from"] == "intervals"
