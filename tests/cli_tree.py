"""Every `camd` command and group, by its full name, as click builds them: what help and README tests walk."""

from __future__ import annotations

import typer
from click import Command

from camera_daemon import cli


def cli_commands() -> dict[str, Command]:
    cli._mount_subcommands([])
    found: dict[str, Command] = {}

    def walk(command: Command, path: list[str]) -> None:
        found[" ".join(path)] = command
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(cli.app), [])
    return found
