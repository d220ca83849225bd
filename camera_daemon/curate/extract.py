"""``camd extract``: frames out of a session as images, chosen by index, rate, time or diversity.

Every image is named and tabled by its logged time, so a label made on an image can be traced back
to the exact instant on every camera. Diverse frames are picked the way DeepLabCut's
``extract_frames`` does (k-means on small grey thumbnails, one frame per cluster) with
scikit-learn's MiniBatchKMeans, so a labeller sees the poses a session holds, not a thousand copies
of the commonest one.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt

from camera_daemon.curate.frames import Span, decode_span, index_video, plan_spans
from camera_daemon.curate.threads import MIN_POOL_FRAMES, run_jobs, worker_count
from camera_daemon.curate.timeline import (
    file_iso,
    frame_interval_us,
    frames_at,
    iso,
    parse_seconds,
    parse_utc,
    session_start_us,
)
from camera_daemon.errors import ConfigError, SessionExistsError
from camera_daemon.post.dedupe import hamming, phash_batch
from camera_daemon.post.io.decode import to_gray8
from camera_daemon.post.session_io import CameraTrack, SessionTracks

FORMATS = ("png", "jpg", "tiff")
TABLE_NAME = "extracted.csv"
THUMB_WIDTH = 30  # DeepLabCut's default resize width for k-means
DEDUPE_BITS = 4
COLUMNS = ("image", "camera", "frame_index", "camera_frame_id", "host_time_us", "utc_time_us", "utc_iso")


@dataclass(frozen=True)
class Selection:
    """Exactly one way of choosing frames; the CLI checks that only one was given."""

    every: int = 0
    fps: float = 0.0
    times: tuple[str, ...] = ()
    utc: tuple[str, ...] = ()
    diverse: int = 0
    tolerance_ms: float | None = None


@dataclass(frozen=True)
class ImageJob:
    span: Span
    camera: str
    folder: Path
    fmt: str
    utc_us: dict[int, int] = field(default_factory=dict)


def choose(track: CameraTrack, selection: Selection, start_us: int, progress: bool) -> list[int]:
    count = track.frame_count
    tolerance = selection.tolerance_ms * 1000 if selection.tolerance_ms is not None else frame_interval_us(track)
    if selection.every:
        return list(range(0, count, selection.every))
    if selection.fps:
        utc = track.utc_time_us
        ticks = np.arange(int(utc[0]), int(utc[-1]) + 1, 1e6 / selection.fps).round().astype(np.int64)
        picks = np.clip(np.searchsorted(utc, ticks), 0, count - 1)
        earlier = np.clip(picks - 1, 0, count - 1)
        picks = np.where(np.abs(utc[earlier] - ticks) <= np.abs(utc[picks] - ticks), earlier, picks)
        return sorted({int(i) for i in picks})
    if selection.times:
        seconds = [parse_seconds(text, "--times") for text in selection.times]
        targets = [start_us + round(value * 1e6) for value in seconds]
        return sorted(set(frames_at(track, targets, tolerance, [f"--times {t}" for t in selection.times], start_us)))
    if selection.utc:
        targets = [parse_utc(text, "--utc") for text in selection.utc]
        return sorted(set(frames_at(track, targets, tolerance, [f"--utc {t}" for t in selection.utc], start_us)))
    return diverse_frames(track, selection.diverse, progress)


def thumbnails(span: Span) -> tuple[list[int], npt.NDArray[np.float32]]:
    """Grey thumbnails THUMB_WIDTH wide, flattened: what k-means compares (runs in a worker)."""
    indices: list[int] = []
    rows: list[npt.NDArray[np.float32]] = []
    for index, frame in decode_span(span):
        gray = to_gray8(frame)
        height = max(1, round(gray.shape[0] * THUMB_WIDTH / gray.shape[1]))
        small = cv2.resize(gray, (THUMB_WIDTH, height), interpolation=cv2.INTER_AREA)
        indices.append(index)
        rows.append(small.astype(np.float32).ravel())
    return indices, np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)


def diverse_frames(track: CameraTrack, k: int, progress: bool) -> list[int]:
    """One frame per k-means cluster: the member nearest its centre (DeepLabCut takes a random member;
    the nearest is as representative and gives the same frames on every run)."""
    from sklearn.cluster import MiniBatchKMeans

    if k > track.frame_count:
        raise ConfigError(f"--diverse {k}: camera '{track.name}' has only {track.frame_count} frames; ask for fewer")
    spans = spans_for(track, list(range(track.frame_count)))
    costs = [s.cost for s in spans]
    parts = run_jobs(thumbnails, spans, f"{track.name}: thumbnails", costs, progress, MIN_POOL_FRAMES)
    indices = np.concatenate([np.asarray(i, dtype=np.int64) for i, _ in parts])
    data = np.concatenate([rows for _, rows in parts])
    model = MiniBatchKMeans(n_clusters=k, random_state=0, n_init=3, batch_size=max(256, 4 * k)).fit(data)
    labels = model.labels_
    chosen: list[int] = []
    for cluster in range(k):
        members = np.flatnonzero(labels == cluster)
        if members.size:
            distances = np.linalg.norm(data[members] - model.cluster_centers_[cluster], axis=1)
            chosen.append(int(indices[members[int(np.argmin(distances))]]))
    return sorted(set(chosen))


def spans_for(track: CameraTrack, wanted: list[int]) -> list[Span]:
    index = index_video(track.video)
    return plan_spans(track.video, track.pixel_format, index, wanted, 2 * worker_count(len(wanted)))


def image_name(camera: str, index: int, utc_us: int, fmt: str) -> str:
    return f"{camera}_{index:06d}_{file_iso(utc_us)}.{fmt}"


def write_images(job: ImageJob) -> list[tuple[int, str, int]]:
    """Decode and save a span's wanted frames (runs in a worker): (frame index, file name, pHash)."""
    written: list[tuple[int, str, int]] = []
    for index, frame in decode_span(job.span):
        name = image_name(job.camera, index, job.utc_us[index], job.fmt)
        if not cv2.imwrite(str(job.folder / name), frame):
            raise ConfigError(f"{job.folder / name}: cannot write the image; check the --output folder")
        written.append((index, name, int(phash_batch([to_gray8(frame)])[0])))
    return written


def _check_format(track: CameraTrack, fmt: str) -> None:
    if fmt not in FORMATS:
        raise ConfigError(f"--format '{fmt}' is unknown; use png, jpg or tiff")
    if fmt == "jpg" and track.pixel_format == "mono16":
        raise ConfigError(f"--format jpg cannot hold camera '{track.name}''s 16-bit pixels; use png or tiff")


def _drop_repeats(rows: list[tuple[int, str, int]], folder: Path) -> list[tuple[int, str, int]]:
    """Keep an image only when its pHash differs from the last kept one by more than DEDUPE_BITS: a
    labeller gains nothing from a second copy of a still scene."""
    kept: list[tuple[int, str, int]] = []
    for row in rows:
        if kept and int(hamming(np.uint64(row[2]), np.uint64(kept[-1][2]))) <= DEDUPE_BITS:
            (folder / row[1]).unlink(missing_ok=True)
            continue
        kept.append(row)
    return kept


def _remove_earlier(output: Path, table: Path) -> None:
    """--force: delete the images the earlier extraction listed (and only those), so the folder holds
    exactly what the new table lists; a name with a folder in it was not written by camd and is kept."""
    with table.open(newline="", encoding="utf-8") as handle:
        names = [row.get("image") or "" for row in csv.DictReader(handle)]
    for name in names:
        if name and Path(name).name == name and name not in (".", ".."):
            (output / name).unlink(missing_ok=True)
    table.unlink()


def extract(
    tracks: SessionTracks,
    selection: Selection,
    output: Path,
    fmt: str = "png",
    cameras: list[str] | None = None,
    dedupe: bool = False,
    force: bool = False,
    progress: bool = True,
) -> tuple[Path, int]:
    """Write the images and ``extracted.csv``; returns the table and how many images it lists."""
    chosen = [tracks.camera(name) for name in cameras] if cameras else list(tracks.cameras)
    for track in chosen:
        _check_format(track, fmt)
    table = output / TABLE_NAME
    if output.exists() and not output.is_dir():
        raise ConfigError(f"--output {output} is a file; give a folder for the images")
    if table.exists() and not force:
        raise SessionExistsError(f"{table} exists from an earlier extraction; pass --force or choose another --output")
    start_us = session_start_us(tracks)
    selected = {track.name: choose(track, selection, start_us, progress) for track in chosen}
    if table.exists():
        _remove_earlier(output, table)
    output.mkdir(parents=True, exist_ok=True)
    jobs: list[ImageJob] = []
    for track in chosen:
        utc = track.utc_time_us
        for span in spans_for(track, selected[track.name]):
            jobs.append(ImageJob(span, track.name, output, fmt, {i: int(utc[i]) for i in span.wanted}))
    costs = [job.span.cost for job in jobs]
    results = run_jobs(write_images, jobs, "extracting", costs, progress, MIN_POOL_FRAMES)
    lines: list[list[object]] = []
    for track in chosen:
        rows = [row for job, result in zip(jobs, results, strict=True) if job.camera == track.name for row in result]
        if dedupe:
            rows = _drop_repeats(rows, output)
        utc = track.utc_time_us
        for index, name, _ in rows:
            lines.append(
                [name, track.name, index, int(track.camera_frame_id[index]), int(track.host_time_us[index]),
                 int(utc[index]), iso(int(utc[index]))]
            )  # fmt: skip
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(lines)
    return table, len(lines)


def image_pixels(path: Path) -> npt.NDArray[np.uint8] | npt.NDArray[np.uint16]:
    """Read an extracted image back with its bit depth intact (tests, tools)."""
    return cast(npt.NDArray[np.uint8], cv2.imread(str(path), cv2.IMREAD_UNCHANGED))
