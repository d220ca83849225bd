"""The post-stop chain: align -> stitch -> dedupe -> trim, then the report, for one session.

Trim is applied to the aligned rows before anything is decoded, and dedupe runs inside the stitch's
output stream, so a session is decoded and encoded exactly once whatever steps are enabled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from camera_daemon.config import PostConfig
from camera_daemon.post.align import AlignedFrames, Reference, align, default_tolerance_us, median_interval_us
from camera_daemon.post.beside import Beside
from camera_daemon.post.crop import Crop
from camera_daemon.post.dedupe import Deduper
from camera_daemon.post.errors import PostError, PostOptionError
from camera_daemon.post.io.decode import Frame, lossless_video, to_gray8
from camera_daemon.post.io.encode import VideoWriter
from camera_daemon.post.io.outputs import PARTIAL_SUFFIX, commit, partial, prepare_post_dir
from camera_daemon.post.io.sink import FrameSink, SinkResult, comparison
from camera_daemon.post.io.tables import frame_column, write_aligned, write_csv
from camera_daemon.post.load import load_session
from camera_daemon.post.options import PostOptions, StitchMode
from camera_daemon.post.report import write_plots, write_report
from camera_daemon.post.session_io import CameraTrack, SessionTracks
from camera_daemon.post.stitch import concat as concat_step
from camera_daemon.post.stitch import stitch as stitch_step
from camera_daemon.post.trim import TrimRange, trim_mask


@dataclass(frozen=True)
class PostResult:
    """What a run produced; ``summary`` is the content of post/report.json."""

    post_dir: Path
    video: Path
    frames_written: int
    aligned_rows: int
    dedupe_dropped: int
    inputs: str  # what the frames were made from, for the one-line summary
    files: tuple[Path, ...]
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Run:
    session: SessionTracks
    options: PostOptions
    post_dir: Path
    stack: ExitStack
    files: list[Path] = field(default_factory=list)

    def writer(self, name: str, width: int, height: int, colour: bool, rate_fps: float) -> VideoWriter:
        path = self.post_dir / name
        writer = VideoWriter(
            partial(path), width, height, colour, self.options.codec, self.options.crf, rate_fps=rate_fps
        )
        self.files.append(path)
        return self.stack.enter_context(writer)

    def table(self, name: str, columns: dict[str, Any]) -> None:
        path = self.post_dir / name
        write_csv(partial(path), columns)
        self.files.append(commit(path))

    def sink(
        self,
        writer: VideoWriter,
        origin_us: int,
        shape: tuple[int, int],
        rate: float,
        view: Callable[[Frame], Frame] | None = None,
        studio: bool = False,
    ) -> FrameSink:
        """``shape`` is the frame as stitched; the output crop (checked here) makes it smaller."""
        lossy = not all(lossless_video(track.video) for track in self.session.cameras)
        deduper = Deduper(self.options.dedupe_settings, lossy) if self.options.dedupe else None
        compare = None
        crop = self.options.output_crop
        if crop is not None:
            shape = (crop.height, crop.width)
        if deduper is not None and self.options.debug:
            compare = self.writer("dedupe.compare.mkv", 3 * shape[1], shape[0], False, rate)
        return FrameSink(writer, origin_us, deduper, view, compare, studio, crop)

    def output_size(self, width: int, height: int) -> tuple[int, int]:
        crop = self.options.output_crop
        if crop is None:
            return width, height
        crop.check(width, height, "output crop")
        return crop.width, crop.height


@contextmanager
def _progress(enabled: bool, total: int, label: str) -> Iterator[Callable[[int], None]]:
    if not enabled:
        yield lambda _count: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task(label, total=total)
        yield lambda count: bar.advance(task, count)


def _cropped(session: SessionTracks, crops: dict[str, Crop]) -> SessionTracks:
    """The session with each camera's crop applied; a crop naming no camera of it is a mistake."""
    for name in crops:
        session.camera(name)
    cameras = tuple(track.cropped(crops[track.name]) if track.name in crops else track for track in session.cameras)
    return replace(session, cameras=cameras)


def _selected(session: SessionTracks, names: tuple[str, ...]) -> list[CameraTrack]:
    return [session.camera(name) for name in names] if names else list(session.cameras)


def _rate(aligned: AlignedFrames) -> float:
    interval = median_interval_us(aligned.tick_utc_us)
    return 1e6 / interval if interval > 0 else 30.0


def _dedupe_tables(run: _Run, result: SinkResult, times_us: np.ndarray, extra: dict[str, np.ndarray]) -> int:  # type: ignore[type-arg]
    """dedupe.csv lists every dropped frame with its twin; with debug, every verdict goes to dedupe.decisions.csv."""
    pushed = np.asarray(result.rows_pushed, dtype=np.int64)
    decisions = result.decisions
    dropped = [d for d in decisions if d.dropped]
    chosen = [dropped, decisions] if run.options.debug else [dropped]
    for name, subset in zip(("dedupe.csv", "dedupe.decisions.csv"), chosen, strict=False):
        rows = pushed[[d.frame for d in subset]] if subset else np.zeros(0, dtype=np.int64)
        twins = pushed[[max(d.twin, 0) for d in subset]] if subset else np.zeros(0, dtype=np.int64)
        columns: dict[str, Any] = {
            "stream_index": [d.frame for d in subset],
            "row": rows,
            "utc_time_us": times_us[rows],
            "dropped": [d.dropped for d in subset],
            "twin_stream_index": [d.twin for d in subset],
            "twin_row": [int(t) if d.twin >= 0 else None for t, d in zip(twins, subset, strict=True)],
        }
        for label, values in extra.items():
            columns[label] = values[rows]
            columns[f"twin_{label}"] = [
                int(values[t]) if d.twin >= 0 else None for t, d in zip(twins, subset, strict=True)
            ]
        columns |= {
            "hash_distance": [d.hash_distance for d in subset],
            "mean_abs_diff": [None if np.isnan(d.mean_abs_diff) else round(d.mean_abs_diff, 4) for d in subset],
            "worst_block_diff": [None if np.isnan(d.block_score) else round(d.block_score, 4) for d in subset],
            "noise_floor": [None if np.isnan(d.noise_floor) else round(d.noise_floor, 4) for d in subset],
            "evidence": [d.evidence for d in subset],
            "reason": [d.reason for d in subset],
        }
        run.table(name, columns)
    return len(dropped)


def _stitch_aligned(run: _Run, tracks: list[CameraTrack], aligned: AlignedFrames) -> tuple[Path, int, int]:
    """mosaic and best: both walk the (trimmed) aligned rows; returns video, frames written, dropped."""
    mode = run.options.mode
    kept_rows = np.flatnonzero(trim_mask(aligned.tick_utc_us, TrimRange.parse(run.options.trim)))
    selected = aligned.select(kept_rows)
    origin = int(selected.tick_utc_us[0]) if selected.tick_count else 0
    rate = _rate(aligned)
    if mode is StitchMode.mosaic:
        layout = stitch_step.plan_mosaic(tracks, run.options.time_overlay)
        width, height, colour = layout.width, layout.height, layout.colour
        view: Callable[[Frame], Frame] | None = layout.without_labels  # type: ignore[assignment]
    else:
        stitch_step.check_copies(tracks)
        colour = any(track.colour for track in tracks)
        width, height, view = tracks[0].width, tracks[0].height, None
    writer = run.writer(f"{mode.value}.mkv", *run.output_size(width, height), colour, rate)
    # dedupe judges frames in their decoded full range, whatever range the output encoder prefers
    studio = mode is StitchMode.mosaic and writer.takes_studio_range and not run.options.dedupe
    studio = studio and all(t.pixel_format == "mono8" for t in tracks)
    sink = run.sink(writer, origin, (height, width), rate, view, studio)
    with _progress(run.options.progress, selected.tick_count, f"{mode.value} {run.session.name}") as advance:
        if mode is StitchMode.mosaic:
            stitch_step.run_mosaic(tracks, selected, layout, sink, run.options.missing, advance)
            log = None
        else:
            compare = run.writer("best.compare.mkv", 3 * width, height, False, rate) if run.options.debug else None

            def on_choice(row: int, winner: Frame, runner_up: Frame | None) -> None:
                if compare is not None:
                    other = None if runner_up is None else to_gray8(runner_up)
                    compare.write(comparison(to_gray8(winner), other), int(selected.tick_utc_us[row]) - origin)

            log = stitch_step.run_best(tracks, selected, sink, advance, colour, on_choice)
            if compare is not None:
                compare.close()
        result = sink.close()
    written = np.asarray(result.rows_written, dtype=np.int64)
    columns: dict[str, Any] = {
        "frame_index": np.arange(written.size),
        "aligned_row": kept_rows[written],
        "utc_time_us": selected.tick_utc_us[written],
        "time_us": selected.tick_utc_us[written] - origin,
    }
    for column, name in enumerate(selected.cameras):
        columns[name] = frame_column(selected.source_index[written, column])
    if log is not None:
        decisions = stitch_step.best_table(tracks, selected, log, set(result.rows_written))
        columns["winner"] = [decisions["winner"][int(row)] for row in written]  # type: ignore[index]
        decisions["aligned_row"] = kept_rows
        run.table("best.decisions.csv", decisions)
    run.table(f"{mode.value}.frames.csv", columns)
    dropped = _dedupe_tables(run, result, selected.tick_utc_us, {"aligned_row": kept_rows}) if run.options.dedupe else 0
    return run.post_dir / f"{mode.value}.mkv", int(written.size), dropped


def _concat_camera(session: SessionTracks, options: PostOptions) -> str:
    if len(options.cameras) > 1 or (not options.cameras and len(session.cameras) > 1):
        names = ", ".join(track.name for track in session.cameras)
        raise PostOptionError(f"concat joins one camera; name it with --camera (this session has {names})")
    return session.camera(options.cameras[0]).name if options.cameras else session.cameras[0].name


def _stitch_concat(run: _Run) -> tuple[Path, int, int, str]:
    session, options = run.session, run.options
    name = _concat_camera(session, options)
    sources = [(session.name, session.camera(name))]
    others = [_cropped(load_session(path), options.crop) for path in options.concat_with]
    sources += [(other.name, other.camera(name)) for other in others]
    if len({(t.width, t.height, t.pixel_format) for _, t in sources}) > 1:
        raise PostError(f"concat: the recordings of '{name}' differ in size or pixel format; they cannot share a video")
    plan = concat_step.plan_concat(sources, options.concat_gap_s)
    keep = trim_mask(plan.utc_time_us, TrimRange.parse(options.trim))
    track = sources[0][1]
    rate = 1e6 / median_interval_us(plan.utc_time_us) if plan.utc_time_us.size > 1 else 30.0
    writer = run.writer("concat.mkv", *run.output_size(track.width, track.height), track.colour, rate)
    origin = int(plan.utc_time_us[keep][0])
    sink = run.sink(writer, origin, (track.height, track.width), rate)
    with _progress(options.progress, int(keep.sum()), f"concat {name}") as advance:
        concat_step.run_concat(plan, keep, sink, advance)
        result = sink.close()
    written = np.asarray(result.rows_written, dtype=np.int64)
    run.table("concat.timestamps.csv", concat_step.concat_table(plan, written))
    extra = {"segment": plan.segment, "source_frame_index": plan.source_frame}
    dropped = _dedupe_tables(run, result, plan.utc_time_us, extra) if options.dedupe else 0
    inputs = f"{int(keep.sum())} frames of camera {name} in {len(sources)} recording(s)"
    return run.post_dir / "concat.mkv", int(written.size), dropped, inputs


def run_post(
    session_dir: Path, options: PostOptions, force: bool = False, loaded: SessionTracks | None = None
) -> PostResult:
    """Run the whole chain for one session; outputs land in ``<session>/post``. ``loaded``: the
    session as the caller read it already, so its tables are not parsed twice."""
    session = _cropped(loaded if loaded is not None else load_session(session_dir), options.crop)
    tracks = _selected(session, options.cameras) if options.mode is not StitchMode.concat else list(session.cameras)
    times = {track.name: track.utc_time_us for track in tracks}
    reference = Reference.parse(options.reference, list(times))
    if options.mode is StitchMode.best and not options.reference:
        reference = Reference(union=True)  # a slot any copy has must reach the output
    per_camera = default_tolerance_us(reference, times)
    if options.tolerance_ms > 0:
        per_camera = dict.fromkeys(per_camera, options.tolerance_ms * 1e3)
    tolerance = max(per_camera.values())
    aligned = align(times, reference, per_camera)
    TrimRange.parse(options.trim)
    if options.mode is StitchMode.concat:
        _concat_camera(session, options)
    steps = ["align", options.mode.value, "report"] + (["dedupe"] if options.dedupe else [])
    prepare_post_dir(session.post_dir, steps, force)
    post_dir = session.post_dir
    # The report's figures need only the alignment: they are drawn while the video encodes (in a
    # process of their own, see beside.py), so matplotlib's import and drawing do not add to the
    # stitch's wall time.
    (post_dir / "plots").mkdir(exist_ok=True)
    figures = Beside("post-plots", write_plots, post_dir / "plots", session, aligned, reference)
    try:
        with ExitStack() as stack:
            run = _Run(session, options, post_dir, stack)
            write_aligned(partial(post_dir / "aligned.csv"), partial(post_dir / "aligned.parquet"), aligned)
            run.files += [commit(post_dir / "aligned.csv"), commit(post_dir / "aligned.parquet")]
            if options.mode is StitchMode.concat:
                video, written, dropped, inputs = _stitch_concat(run)
            else:
                video, written, dropped = _stitch_aligned(run, tracks, aligned)
                inputs = f"{aligned.tick_count} aligned rows"
    except BaseException:
        figures.cancel()
        for leftover in post_dir.glob(f"*{PARTIAL_SUFFIX}"):
            leftover.unlink(missing_ok=True)
        raise
    drawn = figures.result()  # the figures' process is reaped before anything else can fail
    for path in run.files:
        if path.suffix == ".mkv":
            commit(path)
    details = {
        "mode": options.mode.value,
        "video": video.name,
        "frames_written": written,
        "dedupe_dropped": dropped,
        "missing": options.missing.value,
        "trim": options.trim,
        "files": [*sorted(path.name for path in run.files), "report.md", "report.json", "plots/"],
    }
    summary = write_report(post_dir, session, aligned, reference, tolerance, details, drawn)
    files = (*run.files, post_dir / "report.md", post_dir / "report.json")
    return PostResult(post_dir, video, written, aligned.tick_count, dropped, inputs, files, summary)


def run_post_stage(session_dir: Path, post: PostConfig, force: bool) -> PostResult:
    """Entry point for the recorder after `camd stop`, driven by the session's [post] section."""
    return run_post(session_dir, PostOptions.from_config(post, progress=False), force=force)
