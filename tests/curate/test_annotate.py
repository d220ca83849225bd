"""camd annotate: labels on exactly the frames whose logged times fall in their ranges, same frames
and times as the source, and the source untouched."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import av
import numpy as np

from camera_daemon.cameras.framecode import read_counter
from camera_daemon.curate.annotate import ROW
from camera_daemon.curate.timeline import iso

from recordings import camd, table


def decoded(video: Path) -> tuple[list[np.ndarray], list[float]]:  # type: ignore[type-arg]
    with av.open(str(video)) as container:
        frames = list(container.decode(video=0))
        return [f.to_ndarray(format="bgr24") for f in frames], [float(f.pts * f.time_base) for f in frames]


def box_shown(picture: np.ndarray, row: int) -> bool:  # type: ignore[type-arg]
    """An event box is yellow: red far above blue, which no grey pixel of a mono camera can be."""
    y = picture.shape[0] - ROW * (row + 1) - ROW // 2
    strip = picture[y - 2 : y + 3, 1:5].astype(np.int64)
    return bool((strip[:, :, 2] - strip[:, :, 0]).mean() > 100)


def test_labels_fall_exactly_on_their_frames(recorded: Path, tmp_path: Path) -> None:
    utc = table(recorded, "left")["utc_time_us"]
    start = min(int(table(recorded, name)["utc_time_us"][0]) for name in ("left", "right"))
    events = tmp_path / "events.csv"
    events.write_text(
        "start,end,label\n"
        "0.5,1.0,reach\n"
        f"{iso(int(utc[40]))},{iso(int(utc[45]))},grasp\n"
        f"{iso(int(utc[55]) + 3000)},,tap\n",
        encoding="utf-8",
    )
    source = recorded / "left.mkv"
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    out = tmp_path / "review.mkv"
    result = camd("annotate", str(recorded), "--events", str(events), "--camera", "left", "--output", str(out), "-q")
    assert result.returncode == 0, result.stderr
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    copy, copy_times = decoded(out)
    original, original_times = decoded(source)
    assert len(copy) == len(original) == utc.size
    assert copy_times == original_times
    reach = (utc >= start + 500_000) & (utc <= start + 1_000_000)
    tap = int(np.argmin(np.abs(utc - (utc[55] + 3000))))  # a point event: its nearest frame (55 unless 56 came early)
    assert reach.sum() >= 10
    for index, picture in enumerate(copy):
        assert read_counter(picture) == read_counter(original[index]) == index
        assert box_shown(picture, 0) == bool(reach[index]), index
        assert box_shown(picture, 1) == (40 <= index <= 45), index
        assert box_shown(picture, 2) == (index == tap), index


def test_events_without_a_label_column_are_refused(recorded: Path, tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text("start,end,name\n0.5,1.0,reach\n", encoding="utf-8")
    out = tmp_path / "review.mkv"
    result = camd("annotate", str(recorded), "--events", str(events), "--camera", "left", "--output", str(out))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"camd: error: --events {events}: needs columns 'start' (UTC or seconds), optional 'end', and 'label'; "
        "it has start, end, name"
    ]
    assert not out.exists()


def test_mosaic_copy_keeps_its_frames_and_marks_the_range(recorded: Path, tmp_path: Path) -> None:
    with (recorded / "post" / "mosaic.frames.csv").open(encoding="utf-8") as handle:
        utc = np.array([int(row["utc_time_us"]) for row in csv.DictReader(handle)])
    events = tmp_path / "events.csv"
    events.write_text(f"start,end,label\n{iso(int(utc[10]))},{iso(int(utc[20]))},cue\n", encoding="utf-8")
    out = tmp_path / "mosaic-review.mkv"
    result = camd("annotate", str(recorded), "--events", str(events), "--mosaic", "--output", str(out), "-q")
    assert result.returncode == 0, result.stderr
    copy, copy_times = decoded(out)
    _, original_times = decoded(recorded / "post" / "mosaic.mkv")
    assert len(copy) == utc.size and copy_times == original_times
    assert [index for index, picture in enumerate(copy) if box_shown(picture, 0)] == list(range(10, 21))
