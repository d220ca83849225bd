"""The report's figures: the numbers each one is drawn from, and the PNGs on a session the recorder wrote."""

import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

from camera_daemon.config import parse_config
from camera_daemon.post import plot_data
from camera_daemon.post.align import AlignedFrames, Reference, align
from camera_daemon.post.load import load_session
from camera_daemon.post.options import PostOptions
from camera_daemon.post.workflow import run_post
from camera_daemon.recording import record

from sessions import Recorded

DROPPED = [5, 9, 10]


def _assert_figure(path: Path) -> None:
    image = cv2.imread(str(path))
    assert image is not None, f"{path} does not decode"
    height, width = image.shape[:2]
    assert 300 <= height <= 1200 and 600 <= width <= 1600, (path.name, width, height)
    assert image.std() > 10, f"{path.name} is blank"


def test_offsets_are_matched_frame_minus_tick_in_ms() -> None:
    aligned = AlignedFrames(
        tick_utc_us=np.array([5_000_000, 5_033_333, 5_066_667], dtype=np.int64),
        cameras=("ref", "side"),
        source_index=np.array([[0, 0], [1, -1], [2, 1]], dtype=np.int64),
        offset_us=np.array([[0, 1_500], [0, 0], [0, -2_500]], dtype=np.int64),
    )
    tick_s, offsets = plot_data.offsets_ms(aligned, origin_us=4_000_000)
    np.testing.assert_allclose(tick_s, [1.0, 1.033333, 1.066667])
    assert offsets["ref"].tolist() == [0.0, 0.0, 0.0]
    side = offsets["side"].tolist()
    assert side[0] == 1.5 and math.isnan(side[1]) and side[2] == -2.5


def test_intervals_start_at_the_first_frame_of_any_camera(
    three_cameras: tuple[Path, dict[str, Recorded]],
) -> None:
    folder, truth = three_cameras
    session = load_session(folder)
    origin = plot_data.session_origin_us(session)
    assert origin == min(int(t.utc_time_us[0]) for t in truth.values())
    series = plot_data.frame_intervals(session.cameras, origin)
    for name, recorded in truth.items():
        utc = recorded.utc_time_us
        np.testing.assert_allclose(series[name].interval_ms, np.diff(utc) / 1e3)
        np.testing.assert_allclose(series[name].time_s, (utc[1:] - origin) / 1e6)
    assert series["c"].nominal_ms == pytest.approx(40.0)


def test_recorded_session_plots_show_the_dropped_frame_ids(tmp_path: Path) -> None:
    cameras = [
        {"name": "main", "width": 160, "height": 120, "fps": 30},
        {"name": "lossy", "width": 160, "height": 120, "fps": 30, "drop_frames": DROPPED},
    ]
    session_section = {"output": str(tmp_path), "name": "dropping", "duration_s": 1.0}
    folder, manifest = record(parse_config({"cameras": cameras, "session": session_section}))
    assert manifest["cameras"]["lossy"]["drops_buffer"] == 0, "a full ring would add ids of its own"
    run_post(folder, PostOptions(progress=False))

    session = load_session(folder)
    report = json.loads((folder / "post" / "report.json").read_text())
    aligned = align({t.name: t.utc_time_us for t in session.cameras}, Reference(camera="main"))
    origin = plot_data.session_origin_us(session)
    events = plot_data.drop_events(session, aligned, origin)
    lossy, main = events["lossy"], events["main"]
    assert lossy.frame_id.tolist() == DROPPED and lossy.source == "camera_frame_id"
    assert (lossy.buffer_drops, lossy.camera_gaps) == (0, len(DROPPED))
    assert main.frame_id.size == 0 and main.time_s.size == 0
    assert [label for label, _ in plot_data.gap_labels(lossy)] == ["5", "9-10"]
    track = session.camera("lossy")
    for frame_id, time_s in zip(lossy.frame_id, lossy.time_s, strict=True):
        before = int(np.flatnonzero(track.camera_frame_id < frame_id)[-1])
        assert (track.utc_time_us[before] - origin) / 1e6 < time_s < (track.utc_time_us[before + 1] - origin) / 1e6

    plots = folder / "post" / "plots"
    health = ["health.png"] if (folder / "logs" / "main.health.csv").exists() else []  # written once a second
    assert report["plots"] == ["intervals.png", "offsets.png", "drops.png", *health]
    for name in report["plots"]:
        _assert_figure(plots / name)
    markdown = (folder / "post" / "report.md").read_text()
    assert ("no ring depth / lateness plot" in markdown) == (not health)


def test_health_plot_is_drawn_only_from_a_health_log(three_cameras: tuple[Path, dict[str, Recorded]]) -> None:
    folder, truth = three_cameras
    rows = ["host_time_us,ring_depth,ring_capacity,lateness_us"] + [
        f"{int(t)},{i % 7},61,{250 * (i % 5)}" for i, t in enumerate(truth["a"].host_time_us)
    ]
    plot_data.health_log_path(folder, "a").parent.mkdir(exist_ok=True)
    plot_data.health_log_path(folder, "a").write_text("\n".join(rows) + "\n")
    plot_data.health_log_path(folder, "b").write_text("host_time_us,ring_depth\n0,1\n")

    session = load_session(folder)
    origin = plot_data.session_origin_us(session)
    series, notes = plot_data.read_health(session, origin)
    assert list(series) == ["a"]
    assert notes == ["b.health.csv: column(s) ring_capacity, lateness_us missing"]
    np.testing.assert_allclose(series["a"].time_s, (truth["a"].utc_time_us - origin) / 1e6)
    assert series["a"].ring_capacity == 61
    assert series["a"].lateness_ms[:5].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]

    run_post(folder, PostOptions(progress=False))
    report = json.loads((folder / "post" / "report.json").read_text())
    assert report["plots"] == ["intervals.png", "offsets.png", "drops.png", "health.png"]
    assert report["plot_notes"] == notes
    for name in report["plots"]:
        _assert_figure(folder / "post" / "plots" / name)


PROBE = """
import sys
from pathlib import Path

import camera_daemon.cli
import camera_daemon.daemon.worker
from camera_daemon.config import parse_config
from camera_daemon.recording import record

if __name__ == "__main__":
    out = Path(sys.argv[1])
    print("after import:", "matplotlib" in sys.modules)
    camera = {"name": "solo", "width": 160, "height": 120, "fps": 30}
    session = {"output": str(out), "name": "s", "duration_s": 0.5}
    folder, _ = record(parse_config({"cameras": [camera], "session": session}))
    print("after recording:", "matplotlib" in sys.modules)
    from camera_daemon.post.options import PostOptions
    from camera_daemon.post.workflow import run_post

    print("after importing post:", "matplotlib" in sys.modules)
    run_post(folder, PostOptions(progress=False))
    print("figures drawn:", (folder / "post" / "plots" / "intervals.png").exists())
"""


def test_recording_never_loads_matplotlib(tmp_path: Path) -> None:
    """The post stage draws with matplotlib; a recording process must not import it."""
    script = tmp_path / "probe.py"
    script.write_text(textwrap.dedent(PROBE))
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == [
        "after import: False",
        "after recording: False",
        "after importing post: False",
        "figures drawn: True",  # by a child process (post/beside.py): this one still has no matplotlib
    ]
