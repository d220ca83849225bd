"""``camd start / stop / status / pause / resume / logs``: drive a background daemon from any shell."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from camera_daemon.cli_options import CameraOption, CodecOption, ForceOption, OutputOption, SessionNameOption
from camera_daemon.daemon.display import analysis_lines, disk_line, session_report, status_table, summary_table
from camera_daemon.daemon.protocol import request
from camera_daemon.daemon.runtime import DaemonPaths, process_alive
from camera_daemon.daemon.status import CameraStatus
from camera_daemon.daemon.status_text import logger_line, status_cells, status_title, table_width
from camera_daemon.errors import CamdError, ConfigError
from camera_daemon.json_output import JsonFlag, print_json
from camera_daemon.web.options import NoPreviewOption, PreviewPortOption, with_preview_options

console = Console()
NameOption = Annotated[str, typer.Option("--name", "-n", help="Which daemon (several can run at once).")]


def _ask(name: str, command: str, timeout_s: float = 10.0) -> dict[str, Any]:
    reply = request(DaemonPaths(name).socket, command, timeout_s)
    if not reply.get("ok"):
        raise CamdError(f"daemon '{name}' refused '{command}': {reply.get('error')}")
    return reply


def start(
    config: Annotated[Path | None, typer.Argument(help="Session TOML file.")] = None,
    camera: CameraOption = None,
    name: NameOption = "default",
    duration: Annotated[float | None, typer.Option(help="Seconds to record, then stop by itself.")] = None,
    output: OutputOption = None,
    session: SessionNameOption = None,
    codec: CodecOption = None,
    force: ForceOption = False,
    json_output: JsonFlag = False,
    preview_port: PreviewPortOption = None,
    no_preview: NoPreviewOption = False,
) -> None:
    """Start recording in the background; returns once every camera delivers frames."""
    from camera_daemon.daemon.launcher import start_daemon
    from camera_daemon.session.options import build_config

    session_config = build_config(
        config, camera or [], duration_s=duration, output=output, session=session, codec=codec
    )
    session_config = with_preview_options(session_config, preview_port, no_preview)
    message = start_daemon(session_config, name, force=force)
    # stdout carries only the session path, which scripts read; the preview URL goes to stderr.
    for line, warning in message.get("preview") or []:
        sys.stderr.write(f"camd: {'warning: ' if warning else ''}{line}\n")
    if json_output:
        print_json({"name": name, "session": message["session"], "pid": message.get("pid")})
        return
    console.print(message["session"], soft_wrap=True)


def stop(
    name: NameOption = "default",
    timeout: Annotated[float, typer.Option(help="Seconds to wait for final files.")] = 3600.0,
    json_output: JsonFlag = False,
) -> None:
    """Stop every camera, finish the files and the manifest; exits non-zero if a camera failed."""
    if not timeout > 0:  # checked before asking: the daemon would stop anyway and the answer be lost
        raise ConfigError(f"--timeout {timeout:g}: give the seconds to wait for final files, more than 0")
    reply = _ask(name, "stop", timeout)
    manifest = reply["manifest"]
    if json_output:
        print_json(session_report(Path(reply["session"]), manifest))
    else:
        console.print(summary_table(Path(reply["session"]), manifest))
    for warning in manifest.get("warnings") or []:
        sys.stderr.write(f"camd: warning: {warning}\n")
    if manifest.get("error"):
        raise CamdError(f"{manifest['error']}; what was recorded is final, see {reply['session']}/manifest.json")
    failed = manifest.get("failed_cameras") or []
    if failed:
        raise CamdError(f"camera(s) {', '.join(failed)} failed; see {reply['session']}/manifest.json")
    from camera_daemon.analysis.failures import raise_if_analysis_failed

    raise_if_analysis_failed(manifest, reply["session"])


def status(
    name: NameOption = "default",
    json_output: JsonFlag = False,
) -> None:
    """Per camera: fps now and mean, frames, drops, buffer depth, encoder, seconds recorded."""
    reply = _ask(name, "status")
    reply.pop("ok", None)
    reply.pop("v", None)
    if json_output:
        sys.stdout.write(json.dumps(reply) + "\n")
        return
    print_status(reply)


def print_status(reply: dict[str, Any]) -> None:
    """Drawn at the table's natural width, never wrapped into a narrow terminal or a pipe's 80
    columns, so that entry.py can draw the very same characters without rich."""
    statuses = [CameraStatus(**camera) for camera in reply["cameras"]]
    caption = disk_line(reply.get("disk_free_bytes"), reply.get("disk_seconds_left"))
    table = status_table(statuses, status_title(reply), caption)
    rows = [status_cells(camera) for camera in reply["cameras"]]
    console.width = max(console.width, table_width(rows))  # print(width=) may only narrow it
    console.print(table)
    line = logger_line(reply)
    if line is not None:
        console.print(line, soft_wrap=True, markup=False, highlight=False)
    for line in analysis_lines(statuses):
        console.print(line, soft_wrap=True, markup=False)


def pause(name: NameOption = "default") -> None:
    """Keep acquiring but stop saving; the timestamps show the gap."""
    console.print(_ask(name, "pause")["state"])


def resume(name: NameOption = "default") -> None:
    """Save frames again after a pause."""
    console.print(_ask(name, "resume")["state"])


def logs(
    name: NameOption = "default",
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing until the daemon exits.")] = False,
    session: Annotated[Path | None, typer.Option(help="A session folder, when its daemon has ended.")] = None,
) -> None:
    """Show the daemon log."""
    paths = DaemonPaths(name)
    info = paths.read_info() or {}
    folder = session or (Path(info["session"]) if "session" in info else None)
    if folder is None:
        raise ConfigError(f"no daemon '{name}' is running; pass --session PATH to read a finished session's log")
    log_path = folder / "logs" / "daemon.log"
    if not log_path.exists():
        raise ConfigError(f"{log_path} does not exist; was this session recorded with camd start?")
    pid = info.get("pid")
    with log_path.open("r", errors="replace") as handle:
        while True:
            chunk = handle.read()
            if chunk:
                sys.stdout.write(chunk)
                sys.stdout.flush()
            if not follow or pid is None or not process_alive(int(pid)):
                return
            time.sleep(0.2)


def register(app: typer.Typer) -> None:
    for command in (start, stop, status, pause, resume, logs):
        app.command(command.__name__)(command)
