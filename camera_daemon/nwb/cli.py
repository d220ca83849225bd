"""``camd export nwb SESSION``: the session as one NWB file that references its videos."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from camera_daemon.config import NwbConfig

export_app = typer.Typer(help="Hand a session over in a standard format.", no_args_is_help=True)


@export_app.command("nwb")
def nwb(
    session: Annotated[Path, typer.Argument(help="A session folder.")],
    output: Annotated[Path | None, typer.Option(help="The .nwb file; default: SESSION/SESSION.nwb.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing .nwb file.")] = False,
    description: Annotated[str, typer.Option(help="Session description; default: \\[nwb] or a generated one.")] = "",
    identifier: Annotated[str, typer.Option(help="Unique identifier; default: \\[nwb] or one from the session.")] = "",
    experimenter: Annotated[list[str] | None, typer.Option(help="'Last, First'; repeat for several.")] = None,
) -> None:
    """Write one NWB file: per camera an ImageSeries with the logged times, its videos as external files."""
    from camera_daemon.nwb.export import export_nwb, no_subject

    given = NwbConfig(session_description=description, identifier=identifier, experimenter=experimenter or [])
    path = export_nwb(session, output, force=force, given=given)
    typer.echo(str(path))
    if no_subject(path):
        typer.echo(f"camd: warning: {path.name} has no subject; set subject_id, species and age in [nwb]", err=True)
