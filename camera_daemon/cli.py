"""The ``camd`` command. Every failure ends in one line on stderr and a non-zero exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from rich.console import Console
from rich.live import Live
from typer._click.exceptions import ClickException as TyperClickException
from typer._click.exceptions import NoArgsIsHelpError

from camera_daemon import __version__
from camera_daemon.daemon.display import status_table, summary_table
from camera_daemon.errors import CamdError, ConfigError

if TYPE_CHECKING:
    from camera_daemon.daemon.status import CameraStatus

app = typer.Typer(
    name="camd",
    help="Record many cameras at once; lose no frame and no timestamp.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()

DEMO_CONFIG = Path(__file__).parent / "configs" / "demo.toml"

CameraOption = Annotated[
    list[str] | None,
    typer.Option("--camera", "-c", help="NAME=SPEC, e.g. left=synthetic, cam=opencv:0, x=synthetic:?fps=60"),
]


def _version(value: bool) -> None:
    if value:
        from camera_daemon.encoding.binary import ffmpeg_path, ffmpeg_version

        console.print(f"camd {__version__} (ffmpeg {ffmpeg_version()} at {ffmpeg_path()})")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print versions.")
    ] = False,
) -> None:
    """camera-daemon: record, then align, stitch and dedupe."""


def _record_and_report(config: Any, force: bool, quiet: bool = False) -> None:
    from camera_daemon.recording import StopRequest, record

    stop = StopRequest()
    stop.install()
    live: Live | None = None
    if console.is_terminal and not quiet:
        live = Live(console=console, refresh_per_second=4, transient=True)
        live.start()

    def tick(statuses: list[CameraStatus]) -> None:
        if live is not None:
            live.update(status_table(statuses, "recording - Ctrl-C to stop"))

    def failure(name: str, reason: str) -> None:
        sys.stderr.write(f"camd: camera '{name}' failed: {_one_line(reason)}; the other cameras keep recording\n")

    try:
        session, manifest = record(config, force=force, on_tick=tick, on_failure=failure, stop=stop)
    finally:
        if live is not None:
            live.stop()
    console.print(summary_table(session, manifest))
    post = manifest.get("post")
    if post and post.get("error"):
        sys.stderr.write(f"camd: post-stop stage failed: {post['error']}; rerun it with camd stitch {session}\n")
    elif post:
        console.print(f"mosaic: {post['video']} ({post['frames_written']} frames)\nreport: {post['report']}")
    for warning in manifest.get("warnings") or []:
        sys.stderr.write(f"camd: warning: {warning}\n")
    if manifest.get("error"):  # the whole session ended early (full disk, disk guard): one line says why
        raise CamdError(f"{manifest['error']}; what was recorded is final, see {session}/manifest.json")
    failed = manifest.get("failed_cameras") or []
    if failed:
        raise CamdError(f"camera(s) {', '.join(failed)} failed; see {session}/manifest.json and logs/")


@app.command()
def run(
    config: Annotated[Path | None, typer.Argument(help="Session TOML file.")] = None,
    camera: CameraOption = None,
    duration: Annotated[float | None, typer.Option(help="Seconds to record; default: until Ctrl-C.")] = None,
    output: Annotated[Path | None, typer.Option(help="Folder that holds session folders.")] = None,
    session: Annotated[str | None, typer.Option(help="Session folder name (default: UTC time).")] = None,
    codec: Annotated[str | None, typer.Option(help="h264, hevc, av1, ffv1 or mjpeg.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing session of the same name.")] = False,
    quiet: Annotated[bool, typer.Option(help="No live status table.")] = False,
    check: Annotated[bool, typer.Option(help="Validate the config and the encoder, record nothing.")] = False,
) -> None:
    """Record in the foreground until the duration ends or Ctrl-C / SIGTERM."""
    from camera_daemon.session.options import build_config

    session_config = build_config(
        config, camera or [], duration_s=duration, output=output, session=session, codec=codec
    )
    if check:
        from camera_daemon.encoding.probe import check_encoders

        check_encoders(session_config)
        console.print(f"ok: {len(session_config.cameras)} camera(s), encoder runs", soft_wrap=True)
        return
    _record_and_report(session_config, force, quiet)


@app.command()
def demo(
    output: Annotated[Path, typer.Option(help="Folder that holds session folders.")] = Path("recordings"),
    duration: Annotated[float, typer.Option(help="Seconds to record.")] = 4.0,
    session: Annotated[str, typer.Option(help="Session folder name.")] = "demo",
    force: Annotated[bool, typer.Option(help="Replace an earlier demo session.")] = True,
) -> None:
    """Record the built-in demo (three synthetic cameras) and print what was recorded."""
    from camera_daemon.session.options import build_config

    config = build_config(DEMO_CONFIG, [], duration_s=duration, output=output, session=session)
    _record_and_report(config, force, quiet=True)


@app.command()
def timestamps(
    session: Annotated[Path, typer.Argument(help="A session folder.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, npz or parquet.")] = "csv",
    camera: Annotated[str | None, typer.Option(help="Only this camera.")] = None,
) -> None:
    """Export each camera's per-frame timestamp table (rebuilt from the raw log if needed)."""
    from camera_daemon.session.export import export_timestamps

    if fmt not in ("csv", "npz", "parquet"):
        raise ConfigError(f"--format '{fmt}' is unknown; use csv, npz or parquet")
    for path in export_timestamps(session, fmt, camera):
        console.print(str(path))


@app.command()
def recover(
    session: Annotated[Path, typer.Argument(help="A session whose recorder died before it finished.")],
    force: Annotated[bool, typer.Option(help="Rebuild a session that is already final.")] = False,
) -> None:
    """Make a crashed session final: logged times into the videos, tables, manifest."""
    from camera_daemon.session.recover import recover_session

    manifest = recover_session(session, force=force)
    from camera_daemon.daemon.post_stage import run_qc_after_stop

    manifest["qc"] = run_qc_after_stop(session)
    console.print(summary_table(session, manifest))
    failed = [f"camera '{name}': {manifest['cameras'][name]['error']}" for name in manifest["failed_cameras"]]
    if failed:  # the files are final, but not complete: a script must not take them for whole
        raise CamdError(f"{'; '.join(failed)}; the rest is final, see {session}/manifest.json")


_DAEMON_COMMANDS = {"start", "stop", "status", "pause", "resume", "logs"}
_GENICAM_COMMANDS = {"cti", "genicam", "devices"}


def _mount_subcommands(argv: list[str]) -> None:
    """Mount only the command group the user invoked (all of them for help): every process the
    recorder spawns re-imports this module, and ``camd status`` should answer in a blink rather
    than load the GenICam and post-stop code it never uses."""
    word = next((arg for arg in argv if not arg.startswith("-")), None)
    everything = word is None or word == "help"
    if everything or word in _DAEMON_COMMANDS:
        from camera_daemon.daemon.commands import register

        register(app)
    if everything or word in _GENICAM_COMMANDS:
        from camera_daemon.gentl.cli import cti_app, devices, genicam_app

        app.add_typer(cti_app, name="cti")
        app.add_typer(genicam_app, name="genicam")
        app.command("devices")(devices)
    if everything or word == "stitch":
        from camera_daemon.post.cli import stitch

        app.command("stitch")(stitch)
    if everything or word in ("qc", "export"):
        from camera_daemon.nwb.cli import export_app
        from camera_daemon.qc.cli import qc

        app.command("qc")(qc)
        app.add_typer(export_app, name="export")


def _one_line(text: str) -> str:
    """An error echoes what the user typed; a line break or other control character in it must not
    split the report, so it is shown escaped, the way Python writes it."""
    from camera_daemon.redact import redact

    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode() for char in redact(text))


def _usage_line(error: TyperClickException | click.exceptions.ClickException) -> str:
    """Click prints a usage block and a hint over several lines; scripts and people both read the
    first line only, so the whole report is one line that still says where help is."""
    message = " ".join(error.format_message().split())
    ctx = getattr(error, "ctx", None)
    where = f" (see {ctx.command_path} --help)" if ctx is not None else " (see camd --help)"
    return f"camd: error: {_one_line(message)}{where}\n"


def main() -> None:
    _mount_subcommands(sys.argv[1:])
    try:
        result = app(standalone_mode=False, prog_name="camd")
    except CamdError as error:
        sys.stderr.write(f"camd: error: {_one_line(str(error))}\n")
        sys.exit(error.exit_code)
    except NoArgsIsHelpError as error:
        sys.stdout.write(error.ctx.get_help() + "\n" if error.ctx is not None else "")
        sys.exit(error.exit_code)
    except (TyperClickException, click.exceptions.ClickException) as error:
        sys.stderr.write(_usage_line(error))
        sys.exit(error.exit_code)
    except (typer.Abort, click.exceptions.Abort, KeyboardInterrupt):
        sys.exit(130)
    sys.exit(result if isinstance(result, int) else 0)
