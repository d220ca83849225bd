"""Options that several commands share (`camd run`, `camd start`, `camd preview`), declared once so
that their names, short forms and help read the same in every command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from camera_daemon.choices import CODEC_HELP

CameraOption = Annotated[
    list[str] | None,
    typer.Option("--camera", "-c", help="NAME=SPEC, e.g. left=synthetic, cam=opencv:0, x=synthetic:?fps=60"),
]
CodecOption = Annotated[str | None, typer.Option(help=CODEC_HELP)]
OutputOption = Annotated[Path | None, typer.Option(help="Folder that holds session folders.")]
SessionNameOption = Annotated[str | None, typer.Option(help="Session folder name (default: UTC time).")]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace an existing session of the same name.")]
