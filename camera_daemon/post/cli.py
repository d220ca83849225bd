"""``camd stitch``: run the post-stop chain on a recorded session from the command line.

Options left unset fall back to the session's own [post] section, so the command repeats what the
recorder would have done unless told otherwise.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from camera_daemon.choices import STITCH_CODEC_HELP
from camera_daemon.errors import CamdError
from camera_daemon.json_output import JsonFlag, print_json
from camera_daemon.post.crop import parse_crop, parse_crop_options
from camera_daemon.post.errors import PostError, PostOptionError
from camera_daemon.post.load import load_session
from camera_daemon.post.options import PostOptions
from camera_daemon.post.session_io import SessionTracks
from camera_daemon.post.workflow import PostResult, run_post
from camera_daemon.threads import pin_environment, pin_threads


def _overrides(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def build_options(
    session: Path,
    dedupe_fraction: float | None = None,
    dedupe_max_diff: float | None = None,
    loaded: dict[Path, SessionTracks] | None = None,
    **values: Any,
) -> PostOptions:
    """The session's [post] settings with every option the user gave on top; ``loaded`` keeps the
    session as read here, so the run that follows does not parse its tables a second time."""
    tracks = load_session(session)
    if loaded is not None:
        loaded[session] = tracks
    options = PostOptions.from_config(tracks.post, **_overrides(**values))
    settings = options.dedupe_settings
    if dedupe_fraction is not None:
        if not 0 < dedupe_fraction <= 1:
            raise PostOptionError(f"--dedupe-fraction {dedupe_fraction:g}: give a share of the noise floor in (0, 1]")
        settings = replace(settings, floor_fraction=dedupe_fraction)
    if dedupe_max_diff is not None:
        if dedupe_max_diff < 0:
            raise PostOptionError(
                f"--dedupe-max-diff {dedupe_max_diff:g}: give grey levels >= 0 (0: measure the floor)"
            )
        settings = replace(settings, max_diff=dedupe_max_diff)
    return replace(options, dedupe_settings=settings)


def start_client(address: str | None, workers: int) -> tuple[Any, Any]:
    """(cluster or None, client): a local cluster of ``workers`` processes, or the scheduler at
    ``address``. Every worker is pinned to one OpenMP/BLAS/OpenCV thread (camera_daemon.threads):
    one process per core already fills the machine."""
    try:
        distributed: Any = importlib.import_module("dask.distributed")  # untyped library: kept at arm's length
    except ImportError:
        raise PostError("several sessions or --scheduler need dask.distributed: pip install distributed") from None
    try:
        if address is None:
            pin_environment()  # local workers inherit it before they load numpy
            cluster = distributed.LocalCluster(n_workers=min(workers, os.cpu_count() or 1), threads_per_worker=1)
            client = distributed.Client(cluster)
        else:
            cluster, client = None, distributed.Client(address, timeout=10)
    except OSError as error:
        raise PostError(f"--scheduler {address}: cannot reach the Dask scheduler ({error})") from None
    client.run(pin_threads)
    return cluster, client


def run_on_cluster(address: str | None, jobs: list[tuple[Path, PostOptions]], force: bool) -> list[PostResult]:
    """Submit one ``run_post`` per session to a Dask cluster: ``address`` names a running scheduler,
    None starts a local cluster for this call. The functions are plain, so nothing else changes;
    workers of a remote cluster must see the session folders at the same paths."""
    cluster, client = start_client(address, len(jobs))
    try:
        futures = [client.submit(run_post, session.resolve(), options, force, pure=False) for session, options in jobs]
        results: list[PostResult] = client.gather(futures)
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _result_json(session: Path, result: PostResult) -> dict[str, Any]:
    return {
        "session": str(session),
        "post_dir": str(result.post_dir),
        "video": str(result.video),
        "frames_written": result.frames_written,
        "aligned_rows": result.aligned_rows,
        "dedupe_dropped": result.dedupe_dropped,
        "inputs": result.inputs,
        "report": str(result.post_dir / "report.md"),
    }


def stitch(
    sessions: Annotated[
        list[Path],
        typer.Argument(help="Session folders (camd, or ataraxis-video-system output); several run in parallel."),
    ],
    mode: Annotated[
        str | None, typer.Option("--mode", "-m", help="mosaic | best | concat (default: \\[post] stitch).")
    ] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", "-r", help="Camera name, or a rate like 30fps.")
    ] = None,
    missing: Annotated[
        str | None,
        typer.Option(
            "--missing",
            help="Tile at a tick with no frame within tolerance: black, or hold (the camera's newest frame "
            "captured at or before the tick).",
        ),
    ] = None,
    dedupe: Annotated[
        bool | None, typer.Option("--dedupe/--no-dedupe", help="Drop repeats of the last kept frame.")
    ] = None,
    trim: Annotated[str | None, typer.Option("--trim", help="'100:200' frames, '1.5s:4s', 'utc:START:STOP'.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace outputs of an earlier run.")] = False,
    debug: Annotated[bool | None, typer.Option("--debug/--no-debug", help="Comparison videos, full tables.")] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address; default: a local cluster for several sessions."),
    ] = None,
    camera: Annotated[list[str] | None, typer.Option("--camera", help="Camera names to use; concat: one.")] = None,
    concat_with: Annotated[
        list[Path] | None, typer.Option("--with", help="concat: more sessions, same camera.")
    ] = None,
    tolerance_ms: Annotated[float | None, typer.Option("--tolerance-ms", help="Match window (ms).")] = None,
    dedupe_fraction: Annotated[
        float | None,
        typer.Option(
            "--dedupe-fraction",
            help="A repeat differs from the last kept frame by less than this share of the noise floor "
            "(median difference of consecutive frames). Default: by codec, 0.8-0.9 lossless, 0.4 lossy.",
        ),
    ] = None,
    dedupe_max_diff: Annotated[
        float | None, typer.Option("--dedupe-max-diff", help="Fixed repeat limit in grey levels instead of the floor.")
    ] = None,
    crop: Annotated[
        list[str] | None, typer.Option("--crop", help="CAM=X,Y,W,H: crop that camera before stitching.")
    ] = None,
    output_crop: Annotated[str | None, typer.Option("--output-crop", help="X,Y,W,H: crop the stitched output.")] = None,
    codec: Annotated[str | None, typer.Option("--codec", help=STITCH_CODEC_HELP)] = None,
    time_overlay: Annotated[bool | None, typer.Option("--time/--no-time", help="UTC time band in the mosaic.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Align every camera on UTC, then stitch (mosaic, best copy, or concat), dedupe and trim into <session>/post.

    Several sessions run at once on a Dask cluster: a local one unless --scheduler names another."""
    from camera_daemon.session.lock import held_for_reading

    try:
        for session in sessions:  # a live session's manifest is not written yet: exit 3, say why
            if session.is_dir():
                with held_for_reading(session):
                    pass
        loaded: dict[Path, SessionTracks] = {}
        jobs = [
            (
                session,
                build_options(
                    session,
                    mode=None if mode is None else PostOptions.parse_mode(mode),
                    reference=reference,
                    missing=None if missing is None else PostOptions.parse_missing(missing),
                    dedupe=dedupe,
                    trim=trim,
                    debug=debug,
                    cameras=tuple(camera) if camera else None,
                    concat_with=tuple(concat_with) if concat_with else None,
                    tolerance_ms=tolerance_ms,
                    dedupe_fraction=dedupe_fraction,
                    dedupe_max_diff=dedupe_max_diff,
                    crop=parse_crop_options(crop) if crop else None,
                    output_crop=parse_crop(output_crop, "--output-crop") if output_crop else None,
                    codec=codec,
                    time_overlay=time_overlay,
                    progress=not quiet and not json_output and len(sessions) == 1 and scheduler is None,
                    loaded=loaded,
                ),
            )
            for session in sessions
        ]
        if scheduler is None and len(jobs) == 1:
            results = [run_post(jobs[0][0], jobs[0][1], force, loaded=loaded[jobs[0][0]])]
        else:
            results = run_on_cluster(scheduler, jobs, force)
    except CamdError as error:
        typer.echo(f"camd: error: {error}", err=True)
        raise typer.Exit(error.exit_code) from None
    if json_output:
        print_json(
            {"results": [_result_json(session, result) for session, result in zip(sessions, results, strict=True)]}
        )
        return
    for result in results:
        typer.echo(
            f"{result.video}: {result.frames_written} frames from {result.inputs}"
            + (f", {result.dedupe_dropped} repeats dropped" if result.dedupe_dropped else "")
            + f"; report in {result.post_dir / 'report.md'}"
        )
