"""The documented exit codes are the ones the code uses: errors.py's table, every error class's code,
`camd --help` and the README all agree."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import camera_daemon
from camera_daemon.errors import EXIT_CODES, CamdError

from recordings import camd

README = Path(__file__).resolve().parents[2] / "README.md"


def _error_classes() -> list[type[CamdError]]:
    for module in pkgutil.walk_packages(camera_daemon.__path__, "camera_daemon."):
        importlib.import_module(module.name)
    found, pending = [], [CamdError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_error_class_code_is_documented() -> None:
    used = {cls.exit_code for cls in _error_classes()}
    assert used | {0, 130} == set(EXIT_CODES)  # 0: success; 130: Ctrl-C, from main()


def test_help_and_readme_list_every_code() -> None:
    shown = camd("--help", timeout=60)
    assert shown.returncode == 0
    listed = {int(code) for code in re.findall(r"^\W*(\d{1,3})  \w", shown.stdout, re.MULTILINE)}
    assert listed == set(EXIT_CODES)
    section = README.read_text().split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    assert {int(code) for code in re.findall(r"^\| `(\d+)` \|", section, re.MULTILINE)} == set(EXIT_CODES)
