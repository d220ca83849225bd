"""A session name is one folder inside the output folder: nothing walks out of it, nothing follows a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recordings import camd

CAMERA = ["--camera", "a=synthetic:?width=64&height=48", "--duration", "0.5", "--quiet"]

BAD_NAMES = {
    "..": "parent",
    ".": "output folder itself",
    "   ": "blank",
    "a/b": "path separator",
    "..\\up": "path separator",
    "-rf": "starts with '-'",
    "tab\there": "control character",
}


def _files(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize("name", sorted(BAD_NAMES))
def test_a_name_that_leaves_the_output_folder_is_refused(tmp_path, name):
    out = tmp_path / "rigs" / "out"
    result = camd("run", *CAMERA, "--output", str(out), f"--session={name}")
    assert result.returncode == 2, result.stderr
    line = _one_line(result.stderr)
    assert "--session / session.name" in line and BAD_NAMES[name] in line
    assert _files(tmp_path) == set()  # not even the output folder was made, let alone its parent written


def test_a_nul_in_the_config_file_name_is_refused(tmp_path):
    config = tmp_path / "rig.toml"
    config.write_text('[session]\nname = "a\\u0000b"\n[[cameras]]\nname = "a"\n')
    result = camd("run", str(config), "--output", str(tmp_path / "out"), "--duration", "0.5")
    assert result.returncode == 2, result.stderr
    line = _one_line(result.stderr)
    assert "session.name" in line and "NUL" in line
    assert not (tmp_path / "out").exists()


def _other_session(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "manifest.json").write_text('{"exit_state": "stopped"}\n')
    (root / "a.mkv").write_bytes(b"someone else's recording")
    return root


@pytest.mark.parametrize("target", ["another session", "dangling", "anywhere"])
@pytest.mark.parametrize("force", [False, True])
def test_a_link_at_the_session_place_is_refused_even_with_force(tmp_path, target, force):
    out = tmp_path / "out"
    out.mkdir()
    if target == "another session":
        pointed = _other_session(out / "kept")
    elif target == "dangling":
        pointed = tmp_path / "nowhere"
    else:
        pointed = tmp_path / "elsewhere"
        pointed.mkdir()
    (out / "s").symlink_to(pointed)
    before = _files(tmp_path)
    contents = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    result = camd("run", *CAMERA, "--output", str(out), "--session", "s", *(["--force"] if force else []))
    assert result.returncode == 2, result.stderr
    line = _one_line(result.stderr)
    assert "symbolic link" in line and "--session / session.name" in line
    assert _files(tmp_path) == before  # nothing created through the link, nothing deleted through it
    assert {path: path.read_bytes() for path in contents} == contents
    assert os.readlink(out / "s") == str(pointed)
