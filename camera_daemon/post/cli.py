"""``camd stitch``: run the post-stop chain on a recorded session from the command line.

Options left unset fall back to the session's own [post] section, so the command repeats what the
recorder would have done unless told otherwise.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from camera_daemon.errors import CamdError
from camera_daemon.post.errors import PostError
from camera_daemon.post.options import PostOptions
from camera_daemon.post.session_io import load_session
from camera_daemon.post.workflow import PostResult, run_post


def _overrides(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def build_options(session: Path, check: str | None = None, **values: Any) -> PostOptions:
    """The session's [post] settings with every option the user gave on top."""
    options = PostOptions.from_config(load_session(session).post, **_overrides(**values))
    if check is None:
        return options
    return replace(options, dedupe_settings=replace(options.dedupe_settings, check=PostOptions.parse_check(check)))


def run_on_scheduler(address: str, session: Path, options: PostOptions, force: bool) -> PostResult:
    """Submit the same call to a Dask cluster; the functions are plain, so nothing else changes.

    The workers must see the session folder at the same path (a shared file system).
    """
    try:
        from dask.distributed import Client  # type: ignore[import-not-found]
    except ImportError:
        raise PostError("--scheduler needs dask.distributed: pip install 'distributed', or drop --scheduler") from None
    try:
        with Client(address) as client:
            future = client.submit(run_post, session.resolve(), options, force, pure=False)
            result: PostResult = future.result()
            return result
    except OSError as error:
        raise PostError(f"--scheduler {address}: cannot reach the Dask scheduler ({error})") from None


def stitch(
    session: Annotated[Path, typer.Argument(help="Session folder (camd, or ataraxis-video-system output).")],
    mode: Annotated[
        str | None, typer.Option("--mode", "-m", help="mosaic | best | concat (default: [post] stitch).")
    ] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", "-r", help="Camera name, or a rate like 30fps.")
    ] = None,
    missing: Annotated[
        str | None, typer.Option("--missing", help="Tile at a tick with no frame: black | hold.")
    ] = None,
    dedupe: Annotated[
        bool | None, typer.Option("--dedupe/--no-dedupe", help="Drop repeats of the last kept frame.")
    ] = None,
    trim: Annotated[str | None, typer.Option("--trim", help="'100:200' frames, '1.5s:4s', 'utc:START:STOP'.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace outputs of an earlier run.")] = False,
    debug: Annotated[bool | None, typer.Option("--debug/--no-debug", help="Comparison videos, full tables.")] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address (needs distributed).")
    ] = None,
    camera: Annotated[list[str] | None, typer.Option("--camera", "-c", help="Cameras to use; concat: one.")] = None,
    concat_with: Annotated[
        list[Path] | None, typer.Option("--with", help="concat: more sessions, same camera.")
    ] = None,
    tolerance_ms: Annotated[float | None, typer.Option("--tolerance-ms", help="Match window (ms).")] = None,
    check: Annotated[str | None, typer.Option("--check", help="Dedupe pixel check: mad | ssim.")] = None,
    codec: Annotated[str | None, typer.Option("--codec", help="Output codec: h264 | ffv1.")] = None,
    time_overlay: Annotated[bool | None, typer.Option("--time/--no-time", help="UTC time band in the mosaic.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Align every camera on UTC, then stitch (mosaic, best copy, or concat), dedupe and trim into <session>/post."""
    try:
        options = build_options(
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
            check=check,
            codec=codec,
            time_overlay=time_overlay,
            progress=not quiet,
        )
        result = (
            run_on_scheduler(scheduler, session, options, force) if scheduler else run_post(session, options, force)
        )
    except CamdError as error:
        typer.echo(f"camd: error: {error}", err=True)
        raise typer.Exit(error.exit_code) from None
    typer.echo(
        f"{result.video}: {result.frames_written} frames from {result.aligned_rows} aligned rows"
        + (f", {result.dedupe_dropped} repeats dropped" if result.dedupe_dropped else "")
        + f"; report in {result.post_dir / 'report.md'}"
    )
