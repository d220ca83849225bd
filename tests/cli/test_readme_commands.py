"""The README covers the whole command line: every command is in it, and every `camd ...` line in
its code blocks names a real command with options that command has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_tree import cli_commands

from recordings import camd

README = Path(__file__).resolve().parents[2] / "README.md"


COMMANDS = cli_commands()


def _readme_lines() -> list[str]:
    lines, inside = [], False
    for line in README.read_text().splitlines():
        if line.startswith("```"):
            inside = not inside
        elif inside and line.strip().startswith("camd "):
            lines.append(line.strip())
    return lines


def _command_of(line: str) -> str:
    words = line.split("#")[0].split()[1:]
    path = ""
    for count in range(len(words), 0, -1):
        candidate = " ".join(words[:count])
        if candidate in COMMANDS:
            path = candidate
            break
    return path


LINES = _readme_lines()


def test_readme_names_every_command() -> None:
    named = {_command_of(line) for line in LINES}
    leaves = {path for path, command in COMMANDS.items() if path and not hasattr(command, "commands")}
    assert leaves - named == set()


@pytest.mark.parametrize("line", LINES)
def test_readme_command_line_is_real(line: str) -> None:
    path = _command_of(line)
    command = COMMANDS[path]
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)} | {"--help"}
    if path == "":
        known |= {"--version"}
    used = set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", line.split("#")[0].removeprefix("camd " + path)))
    assert used <= known, f"{line}: {used - known} is not an option of camd {path}"
    result = camd(*path.split(), "--help", timeout=60)
    assert result.returncode == 0, result.stderr
