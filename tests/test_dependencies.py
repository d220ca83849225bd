"""Runtime dependencies are what the package imports; test-only libraries stay in the dev extra."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import camera_daemon

ROOT = Path(__file__).resolve().parents[1]


def _names(requirements: list[str]) -> set[str]:
    return {requirement.split(">")[0].split("=")[0].split("<")[0].strip().lower() for requirement in requirements}


def _imported_top_names() -> set[str]:
    names: set[str] = set()
    for path in Path(camera_daemon.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


def test_test_only_libraries_are_dev_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime, dev = _names(project["dependencies"]), _names(project["optional-dependencies"]["dev"])
    imported = _imported_top_names()
    for library, module in (("imagehash", "imagehash"), ("ataraxis-video-system", "ataraxis_video_system")):
        assert module not in imported, f"camera_daemon imports {module}: declare it at runtime"
        assert library not in runtime and library in dev
    assert "pyyaml" in runtime  # post/io/axvs_io.py reads axvs session descriptions with it
