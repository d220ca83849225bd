"""`camd export nwb` on a real recording: read back with pynwb, judged by nwbinspector, moved as a folder.

The expected times are the session's own tables, never the videos' nominal rate: every ImageSeries
timestamp must equal its table row (UTC µs minus the earliest onset) to the microsecond.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from recordings import camd, manifest, record_session, table

pynwb = pytest.importorskip("pynwb")
nwbinspector = pytest.importorskip("nwbinspector")

SUBJECT = {"subject_id": "m1", "species": "Mus musculus", "sex": "F", "age": "P90D"}
CAMERAS = [
    {"name": "left", "width": 320, "height": 240},
    {"name": "right", "width": 320, "height": 240, "fps": 25.0, "pixel_format": "bgr8"},
]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nwb = {**SUBJECT, "experimenter": ["Doe, Jane"], "institution": "Lab of tests"}
    folder, _ = record_session(tmp_path_factory.mktemp("nwb"), CAMERAS, session={"duration_s": 2.0}, nwb=nwb)
    return folder


@pytest.fixture(scope="module")
def exported(session: Path) -> Path:
    result = camd("export", "nwb", str(session), "--description", "two cameras over an arena")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    path = session / "s.nwb"
    assert result.stdout.strip() == str(path)
    return path


def read(path: Path) -> Any:
    io = pynwb.NWBHDF5IO(str(path), "r")
    return io, io.read()


def test_timestamps_equal_the_tables_to_the_microsecond(session: Path, exported: Path) -> None:
    cameras = manifest(session)["cameras"]
    start_us = min(entry["onset_utc_us"] for entry in cameras.values())
    io, nwbfile = read(exported)
    with io:
        assert nwbfile.session_start_time == datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=start_us)
        assert nwbfile.session_description == "two cameras over an arena"
        assert list(nwbfile.experimenter) == ["Doe, Jane"]
        for name, entry in cameras.items():
            series = nwbfile.acquisition[name]
            rows = table(session, name)
            assert series.format == "external"
            assert list(series.external_file[:]) == [entry["video"]]
            assert list(series.starting_frame[:]) == [0]
            seconds = np.asarray(series.timestamps[:])
            assert seconds.size == rows["utc_time_us"].size == entry["frames_in_video"]
            np.testing.assert_array_equal(np.round(seconds * 1e6).astype(np.int64), rows["utc_time_us"] - start_us)
            assert entry["pixel_format"] in series.device.description


def test_inspector_finds_nothing_critical_or_violating(exported: Path) -> None:
    messages = list(nwbinspector.inspect_nwbfile(nwbfile_path=str(exported)))
    serious = [m for m in messages if m.importance.name in ("CRITICAL", "BEST_PRACTICE_VIOLATION", "ERROR")]
    assert serious == [], [(m.check_function_name, m.message) for m in serious]


def test_moved_folder_still_resolves_its_videos(session: Path, exported: Path, tmp_path: Path) -> None:
    moved = Path(shutil.move(str(session.parent), str(tmp_path / "elsewhere"))) / "s"
    try:
        nwb_path = moved / "s.nwb"
        io, nwbfile = read(nwb_path)
        with io:
            for series in nwbfile.acquisition.values():
                video = nwb_path.parent / series.external_file[0]
                capture = cv2.VideoCapture(str(video))
                frames = 0
                while capture.read()[0]:
                    frames += 1
                capture.release()
                assert frames == len(series.timestamps) > 0
    finally:
        shutil.move(str(moved.parent), str(session.parent))


def test_existing_file_needs_force(session: Path, exported: Path) -> None:
    result = camd("export", "nwb", str(session))
    assert result.returncode == 3
    assert result.stderr == f"camd: error: {exported} exists; pass --force to replace it\n"
    assert camd("export", "nwb", str(session), "--force").returncode == 0


def test_segments_become_external_files_with_starting_frames(session: Path, tmp_path: Path) -> None:
    """A camera whose recording is split over files: each file is listed with the frame it starts at."""
    from camera_daemon.encoding.binary import ffmpeg_path
    from camera_daemon.encoding.remux import count_packets
    from camera_daemon.safe_write import write_text_atomic

    copy = Path(shutil.copytree(session, tmp_path / "s"))
    (copy / "s.nwb").unlink(missing_ok=True)
    subprocess.run(
        [ffmpeg_path(), "-v", "error", "-i", str(copy / "left.mkv"), "-c", "copy", "-f", "segment",
         "-segment_time", "0.5", "-reset_timestamps", "1", str(copy / "left.%03d.mkv")],
        check=True,
    )  # fmt: skip
    parts = sorted(copy.glob("left.0*.mkv"))
    assert len(parts) >= 2
    counts = [count_packets(part) for part in parts]
    data = manifest(copy)
    data["cameras"]["left"]["segments"] = [{"video": p.name, "frames": n} for p, n in zip(parts, counts, strict=True)]
    write_text_atomic(copy / "manifest.json", json.dumps(data))
    assert camd("export", "nwb", str(copy)).returncode == 0
    io, nwbfile = read(copy / "s.nwb")
    with io:
        series = nwbfile.acquisition["left"]
        assert list(series.external_file[:]) == [p.name for p in parts]
        assert list(series.starting_frame[:]) == list(np.cumsum([0, *counts[:-1]]))
        assert len(series.timestamps) == sum(counts)


def test_without_the_extra_one_line_says_how_to_install(session: Path) -> None:
    """pynwb made unimportable, as in an install without the nwb extra."""
    code = (
        "import sys; sys.modules['pynwb'] = None; sys.argv = ['camd', 'export', 'nwb', sys.argv[1]]; "
        "from camera_daemon.cli import main; main()"
    )
    result = subprocess.run([sys.executable, "-c", code, str(session)], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr == (
        "camd: error: NWB export needs the nwb extra; install it with: pip install 'camera-daemon[nwb]'\n"
    )
