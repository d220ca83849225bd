"""`camd timestamps --format axvs` writes what `axvs process` writes, read back by ataraxis-video-system itself."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from ataraxis_video_system import resolve_timestamps_path
from ataraxis_video_system.interfaces.processing_tools import analyze_camera_frame_statistics_tool

from recordings import camd, manifest, table

CAMERAS = ["--camera", "a=synthetic:?width=64&height=48&fps=40", "--camera", "b=synthetic:?width=64&height=48&fps=20"]


def test_axvs_layout_reads_in_ataraxis_video_system(tmp_path: Path) -> None:
    recorded = camd("run", *CAMERAS, "--duration", "1.5", "--output", str(tmp_path), "--session", "s", "--quiet")
    assert recorded.returncode == 0, recorded.stderr
    session = tmp_path / "s"
    (session / "b.timestamps.csv").unlink()  # b's table is rebuilt from the raw log, as after a crash
    result = camd("timestamps", str(session), "--format", "axvs", "--json")
    assert result.returncode == 0, result.stderr
    files = {entry["camera"]: Path(entry["path"]) for entry in json.loads(result.stdout)["files"]}
    # source ids follow the camera order, as in the DataLogger archives beside them
    assert files == {
        "a": resolve_timestamps_path(session / "camera_timestamps", "1"),
        "b": resolve_timestamps_path(session / "camera_timestamps", "2"),
    }
    stats = analyze_camera_frame_statistics_tool([str(files["a"]), str(files["b"])])["results"]
    for (name, path), stat in zip(files.items(), stats, strict=True):
        assert "error" not in stat, stat
        frames = manifest(session)["cameras"][name]["frames_in_video"]
        assert stat["basic_stats"]["total_frames"] == frames
        read = pl.read_ipc(path)
        assert read.columns == ["frame_time_us"] and read.dtypes == [pl.UInt64]
        if name == "a":
            assert read["frame_time_us"].to_list() == table(session, "a")["utc_time_us"].tolist()
    assert (
        abs(stats[0]["basic_stats"]["estimated_fps"] - 40) < 4
        and abs(stats[1]["basic_stats"]["estimated_fps"] - 20) < 2
    )
