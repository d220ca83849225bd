"""Usage errors on every command and sub-command: one line on stderr, exit 2, never a traceback.

The commands are enumerated from the typer app itself, so a command added later is covered too.
"""

from __future__ import annotations

import pytest
import typer.main
from typer._click.core import Command
from typer.core import TyperArgument, TyperOption

from camera_daemon import cli

from recordings import camd


def _leaf_commands() -> dict[str, Command]:
    cli._mount_subcommands([])
    root = typer.main.get_command(cli.app)
    found: dict[str, Command] = {}

    def walk(command: Command, path: list[str]) -> None:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():  # type: ignore[attr-defined]
                walk(sub, [*path, name])
        else:
            found[" ".join(path)] = command

    walk(root, [])
    return found


COMMANDS = _leaf_commands()


def _bad_value_args(command: Command) -> list[str]:
    """A wrong value of the most telling kind the command has: a word for a number, an option left
    without its value, a missing required argument, or an argument it does not take."""
    options = [p for p in command.params if isinstance(p, TyperOption) and not p.is_flag]
    required = [p for p in command.params if isinstance(p, TyperArgument) and p.required]
    arguments = [p for p in command.params if isinstance(p, TyperArgument)]
    for option in options:
        annotation = option.type_descriptor.annotation
        if annotation in (int, float, int | None, float | None):
            fillers = ["x"] * sum(1 for p in required if p.nargs == 1)
            return [*fillers, option.opts[0], "abc"]
    if options:
        return [options[0].opts[0]]
    if required:
        return []
    return ["unexpected-extra"] if not arguments else ["a", "b", "c"]


def _assert_one_usage_line(args: list[str], must_contain: str) -> None:
    result = camd(*args, timeout=30)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (args, result.stderr)
    assert len(lines) == 1, (args, result.stderr)
    assert lines[0].startswith("camd: error: "), lines[0]
    assert must_contain in lines[0], (args, lines[0])
    assert "Traceback" not in result.stderr


def test_every_command_is_enumerated():
    assert {"run", "demo", "stitch", "start", "stop", "status", "cti set", "genicam read"} <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_unknown_option_is_one_line_exit_2(path):
    _assert_one_usage_line([*path.split(), "--nope"], "No such option: --nope")
    _assert_one_usage_line([*path.split(), "--nope"], f"camd {path} --help")


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_bad_value_is_one_line_exit_2(path):
    _assert_one_usage_line([*path.split(), *_bad_value_args(COMMANDS[path])], "camd")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["frobnicate"], "No such command 'frobnicate'"),
        (["run", "--duration", "abc"], "Invalid value for '--duration'"),
        (["stitch"], "Missing argument 'sessions'"),
        (["genicam", "frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_named_usage_errors(args, expected):
    _assert_one_usage_line(args, expected)
