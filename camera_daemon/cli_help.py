"""How ``camd --help`` reads: flags without a value type, and the exit codes every command shares.

typer 0.29 prints a ``<bool>`` type beside every on/off flag, ``--help`` included, which reads as if
the flag took a value; a flag takes none, so the type column is left empty for flags.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperOption

from camera_daemon.errors import EXIT_CODES

_typed = TyperOption.display_type_rich


def _flag_without_type(self: TyperOption, ctx: Any) -> str | None:
    if self.is_flag and not self.count:
        return None
    return _typed(self, ctx)


def install() -> None:
    TyperOption.display_type_rich = _flag_without_type  # type: ignore[method-assign]


def exit_code_epilog() -> str:
    """The exit-code table for the root help; built from errors.py so the two never disagree."""
    rows = "\n".join(f"  {code:>3}  {meaning}" for code, meaning in sorted(EXIT_CODES.items()))
    return f"\b\nExit codes:\n{rows}"
