"""Every command's --help, as a user reads it: flags take no value type, no empty default text,
one meaning per short option across all commands, codec lists from one place."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from cli_tree import cli_commands
from typer.core import TyperOption

from camera_daemon.choices import RECORDING_CODECS, STITCH_CODECS
from camera_daemon.config import Codec
from camera_daemon.post.io.encode import CODECS as POST_CODECS

from recordings import camd

COMMANDS = cli_commands()
CLEAN_HELP = re.compile(r"[│╭╮╰╯─]")


def _help(path: str) -> str:
    result = camd(*path.split(), "--help", timeout=60)
    assert result.returncode == 0, result.stderr
    return " ".join(CLEAN_HELP.sub(" ", result.stdout).split())


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_help_has_no_bool_metavar_and_no_empty_default(path: str) -> None:
    text = _help(path)
    assert "<bool>" not in text
    assert "( " not in text and "()" not in text
    assert "[default: force]" not in text  # no command replaces anything unless asked
    assert "[]" not in text


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_help_loses_no_bracketed_word_to_markup(path: str) -> None:
    """A config section such as [post] in help text is markup to rich unless escaped, and vanishes,
    leaving "default:" followed by two spaces: that is read line by line, before spaces collapse."""
    result = camd(*path.split(), "--help", timeout=60)
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        assert not re.search(r"default:\s{2,}\S|default:\s*[).]|\[\s*\]", CLEAN_HELP.sub(" ", line)), line


def test_every_short_option_means_one_thing() -> None:
    longs: dict[str, set[str]] = defaultdict(set)
    for path, command in COMMANDS.items():
        for param in command.params:
            if not isinstance(param, TyperOption):
                continue
            long = next((o for o in param.opts if o.startswith("--")), "")
            for short in (o for o in param.opts if not o.startswith("--")):
                longs[short].add(long)
                if short == "-c":  # --camera NAME=SPEC in run and start; elsewhere --camera takes a name, no -c
                    assert "NAME=SPEC" in (param.help or ""), path
    assert {short: names for short, names in longs.items() if len(names) > 1} == {}


def test_codec_choices_come_from_one_list() -> None:
    assert tuple(Codec) == RECORDING_CODECS
    assert STITCH_CODECS == POST_CODECS
    for path in ("run", "start"):
        assert " | ".join(RECORDING_CODECS) in _help(path)
    stitch = _help("stitch")
    assert " | ".join(STITCH_CODECS) in stitch and "not offered" in stitch
