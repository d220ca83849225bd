"""``camd extract | cluster | annotate | package``: the commands that turn sessions into datasets.

Each reads a finished session only: a session still being recorded is refused (its tables are not
final), through the same shared lock ``camd timestamps`` takes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from camera_daemon.curate.outputs import check_output, positive_number, require_session
from camera_daemon.errors import ConfigError, SessionExistsError
from camera_daemon.json_output import JsonFlag, print_json

COMMANDS = ("extract", "cluster", "annotate", "package")
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(part.strip() for value in values or [] for part in value.split(",") if part.strip())


def extract(
    session: Annotated[Path, typer.Argument(help="A finished session folder.")],
    camera: Annotated[list[str] | None, typer.Option("--camera", help="Only this camera (repeatable).")] = None,
    every: Annotated[int | None, typer.Option("--every", help="Every Nth frame: 0, N, 2N, ...")] = None,
    fps: Annotated[float | None, typer.Option("--fps", help="R frames per second of logged time.")] = None,
    times: Annotated[
        list[str] | None, typer.Option("--times", help="Seconds from the session start, T1,T2,...")
    ] = None,
    utc: Annotated[list[str] | None, typer.Option("--utc", help="ISO UTC times, U1,U2,...")] = None,
    diverse: Annotated[int | None, typer.Option("--diverse", help="K visually diverse frames per camera.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="png, jpg or tiff (16-bit cameras: png, tiff).")] = "png",
    dedupe: Annotated[bool, typer.Option("--dedupe", help="Skip images that repeat the previous one.")] = False,
    output: Annotated[Path | None, typer.Option("--output", help="Folder (default <session>/post/extracted).")] = None,
    tolerance_ms: Annotated[
        float | None, typer.Option("--tolerance-ms", help="--times/--utc match window (default one frame interval).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an earlier extraction there.")] = False,
    as_json: JsonFlag = False,
    quiet: Quiet = False,
) -> None:
    """Frames out as images named by camera, frame index and UTC time, with extracted.csv."""
    from camera_daemon.curate.extract import Selection
    from camera_daemon.curate.extract import extract as run_extract
    from camera_daemon.post.load import load_session
    from camera_daemon.session.lock import held_for_reading

    given = [name for name, value in (("--every", every), ("--fps", fps), ("--times", times), ("--utc", utc),
                                      ("--diverse", diverse)) if value is not None]  # fmt: skip
    if len(given) != 1:
        raise ConfigError(
            "give exactly one of --every N, --fps R, --times T,..., --utc U,..., --diverse K"
            + (f" (got {', '.join(given)})" if given else "")
        )
    for name, count in (("--every", every), ("--diverse", diverse)):
        if count is not None and count < 1:
            raise ConfigError(f"{name} {count}: {name} must be >= 1")
    positive_number("--fps", fps)
    positive_number("--tolerance-ms", tolerance_ms)
    require_session(session)
    if output is not None:
        check_output("--output", output, session, session / "post")
    selection = Selection(
        every=every or 0, fps=fps or 0.0, times=_split(times), utc=_split(utc), diverse=diverse or 0,
        tolerance_ms=tolerance_ms,
    )  # fmt: skip
    with held_for_reading(session):
        tracks = load_session(session)
        folder = output if output is not None else tracks.post_dir / "extracted"
        table, count = run_extract(tracks, selection, folder, fmt.lower(), camera, dedupe, force, not quiet)
    if as_json:
        print_json({"command": "extract", "session": session, "output": folder, "table": table, "images": count})
    else:
        typer.echo(f"{count} images in {folder}; table {table}")


def cluster(
    session: Annotated[Path, typer.Argument(help="A finished session folder.")],
    camera: Annotated[list[str] | None, typer.Option("--camera", help="Only this camera (repeatable).")] = None,
    threshold: Annotated[
        int, typer.Option("--threshold", help="pHash bits within which frames share a cluster (0-64).")
    ] = 12,
    as_json: Annotated[bool, typer.Option("--json", help="Print the clusters as JSON.")] = False,
    output: Annotated[Path | None, typer.Option("--output", help="Folder (default <session>/post/clusters).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an earlier clustering there.")] = False,
    quiet: Quiet = False,
) -> None:
    """Group visually similar frames of a whole session; report and contact sheet of representatives."""
    from camera_daemon.curate.cluster import REPORT_NAME, cluster_session, summary_lines
    from camera_daemon.post.load import load_session
    from camera_daemon.session.lock import held_for_reading

    if not 0 <= threshold <= 64:
        raise ConfigError(f"--threshold {threshold}: give a number of pHash bits from 0 to 64")
    require_session(session)
    if output is not None:
        check_output("--output", output, session, session / "post")
    with held_for_reading(session):
        tracks = load_session(session)
        folder = output if output is not None else tracks.post_dir / "clusters"
        if (folder / REPORT_NAME).exists() and not force:
            raise SessionExistsError(f"{folder / REPORT_NAME} exists from an earlier clustering; pass --force")
        report = cluster_session(tracks, folder, camera, threshold, not quiet)
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        for line in summary_lines(report):
            typer.echo(line)


def annotate(
    session: Annotated[Path, typer.Argument(help="A finished session folder.")],
    events: Annotated[Path, typer.Option("--events", help="CSV: start (UTC or seconds), end (optional), label.")],
    camera: Annotated[str | None, typer.Option("--camera", help="The camera video to annotate.")] = None,
    mosaic: Annotated[bool, typer.Option("--mosaic", help="Annotate post/mosaic.mkv instead.")] = False,
    output: Annotated[Path | None, typer.Option("--output", help="Output video (default in <session>/post).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an earlier output.")] = False,
    as_json: JsonFlag = False,
    quiet: Quiet = False,
) -> None:
    """Draw events, UTC time and frame index onto a review copy; the original is never touched."""
    from camera_daemon.curate.annotate import annotate_session
    from camera_daemon.post.load import load_session
    from camera_daemon.session.lock import held_for_reading

    if mosaic == (camera is not None):
        raise ConfigError("give exactly one of --camera NAME or --mosaic")
    require_session(session)
    with held_for_reading(session):
        tracks = load_session(session)
        path, frames = annotate_session(tracks, events, camera, output, force, not quiet)
    if as_json:
        print_json({"command": "annotate", "session": session, "output": path, "frames": frames})
    else:
        typer.echo(f"{path}: {frames} frames annotated")


def package(
    sessions: Annotated[list[Path], typer.Argument(help="Session folders, or with --verify one bundle.")],
    output: Annotated[Path | None, typer.Option("--output", help="The bundle folder to create.")] = None,
    include: Annotated[str, typer.Option("--include", help="Extras: post, nwb, logs (comma-separated).")] = "post,nwb",
    zip_it: Annotated[bool, typer.Option("--zip", help="Also pack the bundle into BUNDLE.zip.")] = False,
    verify: Annotated[bool, typer.Option("--verify", help="Check every checksum of a bundle.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Package a failed, unfinished or incomplete session; replace a bundle.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """A BagIt bundle (payload + manifest-sha256.txt + bag-info) of one or more sessions."""
    from camera_daemon.curate.package import make_bundle, parse_include, verify_bundle

    if verify:
        if len(sessions) != 1 or output is not None:
            raise ConfigError("--verify takes one bundle (a folder or .zip) and no --output")
        line, count = verify_bundle(sessions[0])
        if as_json:
            print_json({"command": "package", "verified": sessions[0], "files": count})
        else:
            typer.echo(line)
        return
    if output is None:
        raise ConfigError("--output BUNDLE is required: the folder the bundle is written to")
    bundle, files = make_bundle(sessions, output, parse_include(include), zip_it, force)
    if as_json:
        print_json({"command": "package", "sessions": sessions, "output": bundle, "files": files})
    else:
        typer.echo(f"{bundle}: {files} files, sha256 in manifest-sha256.txt")


def register(app: typer.Typer) -> None:
    for command in (extract, cluster, annotate, package):
        app.command(command.__name__)(command)
