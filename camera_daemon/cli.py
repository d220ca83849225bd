"""The ``camd`` command. Every failure ends in one line on stderr and a non-zero exit code."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from rich.console import Console
from rich.live import Live
from typer._click.exceptions import ClickException as TyperClickException
from typer._click.exceptions import NoArgsIsHelpError

from camera_daemon import __version__
from camera_daemon.choices import TABLE_FORMATS
from camera_daemon.cli_help import exit_code_epilog, install
from camera_daemon.cli_options import CameraOption, CodecOption, ForceOption, OutputOption, SessionNameOption
from camera_daemon.daemon.display import session_report, status_table, summary_table
from camera_daemon.errors import CamdError, ConfigError
from camera_daemon.json_output import JsonFlag, print_json
from camera_daemon.web.options import NoPreviewOption, PreviewPortOption

if TYPE_CHECKING:
    from camera_daemon.daemon.status import CameraStatus

app = typer.Typer(
    name="camd",
    help="Record many cameras at once; lose no frame and no timestamp.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    epilog=exit_code_epilog(),
)
install()
console = Console()

DEMO_CONFIG = Path(__file__).parent / "configs" / "demo.toml"


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
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show what camera libraries and ffmpeg print (else: logs).")
    ] = False,
) -> None:
    """camera-daemon: record, then align, stitch and dedupe."""
    if verbose:
        from camera_daemon.noise import set_verbose

        set_verbose()


def _record_and_report(config: Any, force: bool, quiet: bool = False, json_output: bool = False) -> None:
    from camera_daemon.daemon.worker_server import boot_worker_server
    from camera_daemon.encoding.probe import check_encoders_early

    boot_worker_server()  # first: its boot and the encoder check overlap with the imports below
    probing = check_encoders_early(config)
    from camera_daemon.recording import StopRequest, record

    probing.join()  # record() checks again, and finds the answers cached

    stop = StopRequest()
    stop.install()
    live: Live | None = None
    if console.is_terminal and not quiet and not json_output:
        live = Live(console=console, refresh_per_second=4, transient=True)
        live.start()

    def tick(statuses: list[CameraStatus]) -> None:
        if live is not None:
            live.update(status_table(statuses, "recording - Ctrl-C to stop"))

    def failure(name: str, reason: str) -> None:
        sys.stderr.write(f"camd: camera '{name}' failed: {_one_line(reason)}; the other cameras keep recording\n")

    def preview_line(line: str, warning: bool) -> None:
        if warning:
            sys.stderr.write(f"camd: warning: {line}\n")
        elif json_output:  # stdout holds exactly the one JSON object a script parses
            sys.stderr.write(f"{line}\n")
        else:
            console.print(line, soft_wrap=True, highlight=False)

    try:
        session, manifest = record(
            config, force=force, on_tick=tick, on_failure=failure, stop=stop, on_preview=preview_line
        )
    finally:
        if live is not None:
            live.stop()
    from camera_daemon.daemon.fast_exit import arm

    arm()  # the session is final: what follows only reports it
    post = manifest.get("post")
    if json_output:
        print_json(session_report(session, manifest))
    else:
        console.print(summary_table(session, manifest))
        if post and not post.get("error"):
            console.print(f"mosaic: {post['video']} ({post['frames_written']} frames)\nreport: {post['report']}")
    if post and post.get("error"):
        sys.stderr.write(f"camd: post-stop stage failed: {post['error']}; rerun it with camd stitch {session}\n")
    for warning in manifest.get("warnings") or []:
        sys.stderr.write(f"camd: warning: {warning}\n")
    if manifest.get("error"):  # the whole session ended early (full disk, disk guard): one line says why
        raise CamdError(f"{manifest['error']}; what was recorded is final, see {session}/manifest.json")
    failed = manifest.get("failed_cameras") or []
    if failed:
        raise CamdError(f"camera(s) {', '.join(failed)} failed; see {session}/manifest.json and logs/")
    from camera_daemon.analysis.failures import raise_if_analysis_failed

    raise_if_analysis_failed(manifest, session)


@app.command()
def run(
    config: Annotated[Path | None, typer.Argument(help="Session TOML file.")] = None,
    camera: CameraOption = None,
    duration: Annotated[float | None, typer.Option(help="Seconds to record; default: until Ctrl-C.")] = None,
    output: OutputOption = None,
    session: SessionNameOption = None,
    codec: CodecOption = None,
    force: ForceOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No live status table.")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Validate the config and the encoder, record nothing.")
    ] = False,
    json_output: JsonFlag = False,
    preview_port: PreviewPortOption = None,
    no_preview: NoPreviewOption = False,
) -> None:
    """Record in the foreground until the duration ends or Ctrl-C / SIGTERM."""
    from camera_daemon.session.options import build_config
    from camera_daemon.web.options import with_preview_options

    session_config = build_config(
        config, camera or [], duration_s=duration, output=output, session=session, codec=codec
    )
    session_config = with_preview_options(session_config, preview_port, no_preview)
    if check:
        from camera_daemon.analysis.loader import check_callbacks
        from camera_daemon.encoding.probe import check_encoders

        check_encoders(session_config)
        check_callbacks(session_config)  # a callback that does not import is exit 2, before the folder exists
        if json_output:
            print_json({"ok": True, "cameras": [camera.name for camera in session_config.cameras]})
        else:
            console.print(f"ok: {len(session_config.cameras)} camera(s), encoder runs", soft_wrap=True)
        return
    _record_and_report(session_config, force, quiet, json_output)


@app.command()
def demo(
    output: Annotated[Path, typer.Option(help="Folder that holds session folders.")] = Path("recordings"),
    duration: Annotated[float, typer.Option(help="Seconds to record.")] = 4.0,
    session: Annotated[
        str | None, typer.Option(help="Session folder name (default: UTC time, so each demo is a new one).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a session of the same --session name.")] = False,
    json_output: JsonFlag = False,
    preview_port: PreviewPortOption = None,
    no_preview: NoPreviewOption = False,
) -> None:
    """Record the built-in demo (three synthetic cameras) and print what was recorded."""
    from camera_daemon.session.options import build_config
    from camera_daemon.web.options import with_preview_options

    config = build_config(DEMO_CONFIG, [], duration_s=duration, output=output, session=session)
    config = with_preview_options(config, preview_port, no_preview)
    _record_and_report(config, force, quiet=True, json_output=json_output)


@app.command()
def timestamps(
    session: Annotated[Path, typer.Argument(help="A session folder.")],
    fmt: Annotated[
        str, typer.Option("--format", help=f"{' | '.join(TABLE_FORMATS)} (axvs: camera_timestamps/*.feather).")
    ] = "csv",
    camera: Annotated[str | None, typer.Option(help="Only this camera.")] = None,
    json_output: JsonFlag = False,
) -> None:
    """Export each camera's per-frame timestamp table (rebuilt from the raw log if needed)."""
    from camera_daemon.session.export import export_tables

    if fmt not in TABLE_FORMATS:
        raise ConfigError(f"--format '{fmt}' is unknown; use {', '.join(TABLE_FORMATS)}")
    exported = export_tables(session, fmt, camera)
    if json_output:
        files = [{"camera": name, "path": str(path), "rows": rows} for name, path, rows in exported]
        print_json({"session": str(session), "format": fmt, "files": files})
        return
    for _, path, _ in exported:
        console.print(str(path))


@app.command()
def recover(
    session: Annotated[Path, typer.Argument(help="A session whose recorder died before it finished.")],
    force: Annotated[bool, typer.Option("--force", help="Rebuild a session that is already final.")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Make a crashed session final: logged times into the videos, tables, manifest."""
    from camera_daemon.analysis.recovery import reap, recover_analysis
    from camera_daemon.analysis.results import merge_left_parts
    from camera_daemon.session.manifest import write_manifest
    from camera_daemon.session.recover import recover_session

    reap(session / "logs")  # an analysis process its killed recorder left running
    manifest = recover_session(session, force=force)
    recover_analysis(session, manifest)
    write_manifest(session / "manifest.json", manifest)
    merge_left_parts(session)
    from camera_daemon.daemon.post_stage import run_qc_after_stop

    manifest["qc"] = run_qc_after_stop(session)
    if json_output:
        print_json(session_report(session, manifest))
    else:
        console.print(summary_table(session, manifest))
    failed = [f"camera '{name}': {manifest['cameras'][name]['error']}" for name in manifest["failed_cameras"]]
    if failed:  # the files are final, but not complete: a script must not take them for whole
        raise CamdError(f"{'; '.join(failed)}; the rest is final, see {session}/manifest.json")


_DAEMON_COMMANDS = {"start", "stop", "status", "pause", "resume", "logs"}
_GENICAM_COMMANDS = {"cti", "genicam", "devices"}
_CURATE_COMMANDS = {"extract", "cluster", "annotate", "package"}


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
    if everything or word == "preflight":
        from camera_daemon.preflight.cli import preflight

        app.command("preflight")(preflight)
    if everything or word == "preview":
        from camera_daemon.daemon.preview_cli import preview

        app.command("preview")(preview)
    if everything or word == "stitch":
        from camera_daemon.post.cli import stitch

        app.command("stitch")(stitch)
    if everything or word in _CURATE_COMMANDS:
        from camera_daemon.curate.cli import register as register_curate

        register_curate(app)
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


_NOISY_COMMANDS = _GENICAM_COMMANDS | {"preflight"}  # commands that load camera libraries in this process


def _quieted(argv: list[str]) -> AbstractContextManager[object]:
    """Third-party output of a command without a session goes to a log (noise.py) unless -v came
    before the command word; decided here because the libraries load before typer parses options."""
    word_at = next((i for i, arg in enumerate(argv) if not arg.startswith("-")), len(argv))
    if {"-v", "--verbose"} & set(argv[:word_at]):
        from camera_daemon.noise import set_verbose

        set_verbose()
    if word_at < len(argv) and argv[word_at] in _NOISY_COMMANDS:
        from camera_daemon.noise import third_party_output

        return third_party_output()
    return nullcontext()


def main() -> None:
    _mount_subcommands(sys.argv[1:])
    try:
        with _quieted(sys.argv[1:]):
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
