"""Several sessions stitched at once on a local Dask cluster, through the real `camd` command."""

from pathlib import Path

import pyarrow.csv as pacsv

from camera_daemon.cameras.framecode import read_counter
from camera_daemon.config import parse_config
from camera_daemon.post.load import load_session
from camera_daemon.post.stitch.mosaic import MosaicLayout
from camera_daemon.recording import record

from readback import decoded
from recordings import camd


def test_two_sessions_are_stitched_in_parallel_on_a_local_cluster(tmp_path: Path) -> None:
    folders = []
    for name in ("one", "two"):
        cameras = [{"name": "cam", "width": 160, "height": 120, "fps": 30}]
        config = parse_config({"cameras": cameras, "session": {"output": str(tmp_path), "name": name, "duration_s": 1}})
        folders.append(record(config)[0])
    result = camd("stitch", *map(str, folders), "--quiet", timeout=300)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 2
    for folder in folders:
        session = load_session(folder)
        layout = MosaicLayout.plan([(t.name, t.width, t.height) for t in session.cameras], colour=False)
        aligned = pacsv.read_csv(folder / "post" / "aligned.csv")
        tile = layout.tiles[0]
        counters = [
            read_counter(canvas[tile.top : tile.top + tile.height, tile.left : tile.left + tile.width])
            for canvas, _ in decoded(folder / "post" / "mosaic.mkv", fmt="gray")
        ]
        assert counters == aligned.column("cam").to_pylist()
