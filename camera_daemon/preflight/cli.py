"""`camd preflight`: every check as one row of a table (or JSON); exit 1 when any check fails.

Exit codes: 0 every check passed (warnings included), 1 at least one check failed, 2 the config or
an option is wrong (nothing was checked).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from camera_daemon.config import SessionConfig
from camera_daemon.errors import CamdError, ConfigError
from camera_daemon.preflight.basics import check_ffmpeg, check_hardware, check_producers, check_runtime
from camera_daemon.preflight.camera_checks import check_camera
from camera_daemon.preflight.disk import check_disk
from camera_daemon.preflight.rows import Row, Verdict, failed
from camera_daemon.preflight.sustained import check_sustained

_COLOURS = {Verdict.ok: "green", Verdict.warn: "yellow", Verdict.fail: "bold red", Verdict.info: "dim"}


def run_checks(config: SessionConfig, seconds: float) -> list[Row]:
    rows = [check_ffmpeg()]
    rows += check_producers(config)
    rate = 0.0
    for camera in config.cameras:
        result = check_camera(config, camera)
        rows += result.rows
        rate += result.bytes_per_second
    rows += check_hardware(config)
    rows.append(check_disk(config, rate))
    rows.append(check_runtime())
    if seconds > 0:
        if failed(rows):
            rows.append(Row("sustained", Verdict.fail, "not run: fix the failed checks first"))
        else:
            rows += check_sustained(config, seconds)
    return rows


def _table(rows: list[Row]) -> Table:
    table = Table(title="camd preflight", title_justify="left")
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail", overflow="fold")
    for row in rows:
        table.add_row(row.check, Text(row.verdict.value, style=_COLOURS[row.verdict]), row.detail)
    return table


def preflight(
    config: Annotated[Path | None, typer.Argument(help="Session TOML file.")] = None,
    camera: Annotated[
        list[str] | None, typer.Option("--camera", "-c", help="NAME=SPEC, e.g. left=synthetic, cam=opencv:0")
    ] = None,
    seconds: Annotated[float, typer.Option(help="Also record every camera this long into a scratch folder.")] = 0.0,
    output: Annotated[Path | None, typer.Option(help="Folder that will hold session folders.")] = None,
    duration: Annotated[float | None, typer.Option(help="Seconds the session will record (disk check).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Check that a session will work: ffmpeg, encoders, producers, cameras, disk, runtime folder.
    Exit 0: all passed (warnings allowed); 1: a check failed; 2: bad config or option."""
    from camera_daemon.session.options import build_config

    if seconds < 0:
        raise ConfigError(f"--seconds {seconds:g}: give 0 (no recording) or more")
    session = build_config(config, camera or [], duration_s=duration, output=output)
    rows = run_checks(session, seconds)
    bad = failed(rows)
    if json_output:
        typer.echo(json.dumps({"ok": not bad, "checks": [row.as_dict() for row in rows]}, indent=2))
    else:
        Console(soft_wrap=False).print(_table(rows))
    if bad:
        names = ", ".join(row.check for row in bad)
        raise CamdError(f"preflight: {len(bad)} check(s) failed ({names}); see the detail column")
