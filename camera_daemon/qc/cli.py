"""``camd qc SESSION...``: the verdict table, ``post/qc.json`` and the report section for each session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from camera_daemon.qc.output import fill_pending, qc_session, verdict_table


def qc(
    sessions: Annotated[list[Path], typer.Argument(help="One or more session folders.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdicts as JSON.")] = False,
    strict: Annotated[bool, typer.Option(help="Exit 1 on a WARNING too, not only on a FAIL.")] = False,
) -> int:
    """Judge sessions against published thresholds (IBL, AIND): exit 0 when nothing fails."""
    console = Console()
    results = [qc_session(session) for session in sessions]
    for session, result in zip(sessions, results, strict=True):
        fill_pending(session, result)
    if as_json:
        typer.echo(json.dumps([result.as_json() for result in results], indent=2))
    else:
        for result in results:
            console.print(verdict_table(result))
    return max(result.exit_code(strict) for result in results)
