"""One JSON object on stdout for scripts: the same shape from every command that reports something.

Human text goes through rich, which wraps and colours; a script needs one parseable line it can pipe
into ``jq`` or ``json.loads`` whatever the terminal width, so ``--json`` bypasses rich entirely.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout instead of text.")]


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars in manifests and reports
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def print_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, default=_plain) + "\n")
    sys.stdout.flush()
