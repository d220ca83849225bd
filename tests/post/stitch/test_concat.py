"""Concat: segments of one camera become one video and one continuous timestamp table."""

from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pytest

from camera_daemon.cameras.framecode import read_counter
from camera_daemon.post.errors import PostError
from camera_daemon.post.options import PostOptions, StitchMode
from camera_daemon.post.workflow import run_post

from readback import decoded
from sessions import CameraPlan, record_session


def test_concat_joins_a_paused_recording_and_a_later_session(tmp_path: Path) -> None:
    first = record_session(tmp_path / "one", [CameraPlan("cam", slots=30, pauses={15: 2_000_000})])["cam"]
    second = record_session(tmp_path / "two", [CameraPlan("cam", slots=12, start_us=9_000_000)])["cam"]
    options = PostOptions(mode=StitchMode.concat, concat_with=(tmp_path / "two",), progress=False)
    result = run_post(tmp_path / "one", options)

    table = pacsv.read_csv(tmp_path / "one" / "post" / "concat.timestamps.csv")
    frames = list(decoded(result.video, fmt="gray"))
    assert len(frames) == table.num_rows == 42
    utc = table.column("utc_time_us").to_numpy()
    assert np.array_equal(utc, np.concatenate([first.utc_time_us, second.utc_time_us]))
    host = table.column("host_time_us").to_numpy()
    assert host[0] == 0 and np.all(np.diff(host) > 0) and np.array_equal(host, utc - utc[0])
    assert table.column("segment").to_pylist() == [0] * 15 + [1] * 15 + [2] * 12
    assert table.column("source").to_pylist() == ["one"] * 30 + ["two"] * 12
    contents = np.concatenate([first.content, second.content])
    for (pixels, time_ms), content, time_us in zip(frames, contents, host, strict=True):
        assert read_counter(pixels) == content
        assert time_ms == round(time_us / 1000), "the video plays on the table's clock"


def test_overlapping_segments_are_refused(tmp_path: Path) -> None:
    record_session(tmp_path / "one", [CameraPlan("cam", slots=10, width=64, height=48)])
    record_session(tmp_path / "two", [CameraPlan("cam", slots=10, width=64, height=48, start_us=100_000)])
    options = PostOptions(mode=StitchMode.concat, concat_with=(tmp_path / "two",), progress=False)
    with pytest.raises(PostError, match="must not overlap"):
        run_post(tmp_path / "one", options)
