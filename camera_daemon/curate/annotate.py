"""``camd annotate``: events drawn onto a review copy of a camera video or of the mosaic.

The copy is re-encoded frame for frame with each source frame's own presentation time, so it has
the same frame count and plays at the recorded speed; a reviewer's "frame 1234" is the table's row
1234. The original is only read. Each event keeps one row of the overlay (its position in the CSV),
so an event's box is always in the same place while it lasts.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt

from camera_daemon.curate.outputs import check_output, recorded_files
from camera_daemon.curate.threads import progress_bar
from camera_daemon.curate.timeline import frame_interval_us, iso, parse_utc, session_start_us
from camera_daemon.errors import ConfigError, SessionExistsError
from camera_daemon.post.errors import PostError
from camera_daemon.post.session_io import IntArray, SessionTracks

ROW = 20  # overlay row height in pixels
BOX = (0, 255, 255)  # event boxes are yellow (BGR): never a grey a mono camera could show
START_COLUMNS = ("start", "time", "utc", "seconds")
ANNOTATED_DIR = "annotated"  # under post/: the one place in a session an annotated copy may be written


@dataclass(frozen=True)
class Event:
    start_us: int
    end_us: int  # == start_us for a point event
    label: str
    row: int


def _moment(text: str, start_us: int, where: str) -> int:
    """Seconds from the session start, or an ISO UTC time."""
    try:
        seconds = float(text)
    except ValueError:
        return parse_utc(text, where)
    if not math.isfinite(seconds):
        raise ConfigError(f"{where}: '{text}' is not a time; give seconds from the session start or ISO UTC")
    return start_us + round(seconds * 1e6)


def read_events(path: Path, start_us: int) -> list[Event]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            lines = list(csv.DictReader(handle))
    except OSError as error:
        raise ConfigError(f"--events {path}: cannot read it ({error.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise ConfigError(f"--events {path}: not a CSV file ({error})") from None
    if not lines:
        raise ConfigError(f"--events {path}: no events; give a header 'start,end,label' and one row per event")
    column = next((name for name in START_COLUMNS if name in lines[0]), None)
    if column is None or "label" not in lines[0]:
        raise ConfigError(
            f"--events {path}: needs columns 'start' (UTC or seconds), optional 'end', and 'label'; "
            f"it has {', '.join(str(key) for key in lines[0])}"
        )
    events = []
    for number, line in enumerate(lines, start=2):
        where = f"--events {path} line {number}"
        start = _moment((line.get(column) or "").strip(), start_us, f"{where} '{column}'")
        end_text = (line.get("end") or "").strip()
        end = _moment(end_text, start_us, f"{where} 'end'") if end_text else start
        if end < start:
            raise ConfigError(f"{where}: 'end' is before '{column}'; swap them")
        events.append(Event(start, end, (line.get("label") or "").strip(), number - 2))
    return events


def active_rows(events: list[Event], utc_us: IntArray, interval_us: float) -> list[list[Event]]:
    """Per frame, the events it shows: a range covers the frames whose times fall inside it; a point
    event shows on its nearest frame, if one lies within a frame interval."""
    shown: list[list[Event]] = [[] for _ in range(utc_us.size)]
    for event in events:
        if event.end_us > event.start_us:
            frames = np.flatnonzero((utc_us >= event.start_us) & (utc_us <= event.end_us))
        else:
            nearest = int(np.argmin(np.abs(utc_us - event.start_us)))
            frames = np.array([nearest]) if abs(int(utc_us[nearest]) - event.start_us) <= interval_us else np.array([])
        for frame in frames:
            shown[int(frame)].append(event)
    return shown


def draw(picture: npt.NDArray[np.uint8], events: list[Event], utc_us: int, index: int) -> None:
    height, width = picture.shape[:2]
    cv2.rectangle(picture, (0, height - ROW), (width, height), (0, 0, 0), -1)
    text = f"{iso(utc_us)}  frame {index}"
    cv2.putText(picture, text, (4, height - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
    for event in events:
        bottom = height - ROW * (event.row + 1)
        if bottom - ROW < 0:
            continue  # more events than rows: the frame is too small to show this one
        size, _ = cv2.getTextSize(event.label, cv2.FONT_HERSHEY_SIMPLEX, 0.45, 1)
        cv2.rectangle(picture, (0, bottom - ROW + 1), (size[0] + 12, bottom - 1), BOX, -1)
        cv2.putText(picture, event.label, (6, bottom - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)


def source_of(tracks: SessionTracks, camera: str | None) -> tuple[Path, IntArray, float]:
    """The video to copy and each of its frames' UTC times."""
    if camera is not None:
        track = tracks.camera(camera)
        return track.video, track.utc_time_us, frame_interval_us(track)
    video = tracks.post_dir / "mosaic.mkv"
    frames = tracks.post_dir / "mosaic.frames.csv"  # one row per written frame, after dedupe and trim
    if not video.exists() or not frames.exists():
        raise PostError(f"{tracks.folder}: no post/mosaic.mkv with post/mosaic.frames.csv; run camd stitch first")
    with frames.open(newline="", encoding="utf-8") as handle:
        utc = np.array([int(row["utc_time_us"]) for row in csv.DictReader(handle)], dtype=np.int64)
    steps = np.diff(utc)
    return video, utc, float(np.median(steps)) if steps.size else 1e6


def annotate_session(
    tracks: SessionTracks, events_path: Path, camera: str | None, output: Path | None, force: bool, progress: bool
) -> tuple[Path, int]:
    video, utc, interval = source_of(tracks, camera)
    events = read_events(events_path, session_start_us(tracks))
    folder = tracks.post_dir / ANNOTATED_DIR
    target = output if output is not None else folder / f"{camera or 'mosaic'}.mkv"
    recorded = {track.video.resolve() for track in tracks.cameras} | recorded_files(tracks.folder)
    if target.resolve() == video.resolve() or target.resolve() in recorded:
        raise ConfigError(f"--output {target} is a recorded file; the original is never modified, choose another")
    check_output("--output", target, tracks.folder, folder)
    if target.exists() and not force:
        raise SessionExistsError(f"{target} exists; pass --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    shown = active_rows(events, utc, interval)
    partial = target.with_name(target.name + ".partial")
    written = _copy(video, partial, utc, shown, progress)
    partial.replace(target)
    return target, written


def _copy(video: Path, target: Path, utc: IntArray, shown: list[list[Event]], progress: bool) -> int:
    """Re-encode frame by frame with the source's own time stamps (libx264 crf 18: a review copy)."""
    with av.open(str(video)) as source, av.open(str(target), mode="w", format="matroska") as sink:
        stream = source.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        out = sink.add_stream("libx264")
        out.width, out.height = width, height
        out.pix_fmt = "yuv420p" if width % 2 == 0 and height % 2 == 0 else "yuv444p"
        out.options = {"preset": "ultrafast", "crf": "18"}
        out.codec_context.time_base = stream.time_base
        written = 0
        with progress_bar(progress, f"annotating {video.name}", len(shown)) as bar:
            for frame in source.decode(stream):
                if written >= utc.size:
                    raise PostError(f"{video}: holds more frames than its {utc.size} time stamps")
                picture = np.ascontiguousarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
                draw(picture, shown[written], int(utc[written]), written)
                copy = av.VideoFrame.from_ndarray(picture, format="bgr24")
                copy.pts, copy.time_base = frame.pts, stream.time_base
                sink.mux(out.encode(copy))
                written += 1
                bar.advance(1)
            sink.mux(out.encode(None))
    if written != utc.size:
        raise PostError(f"{video}: ends after {written} frames but has {utc.size} time stamps")
    return written
