"""camd package copies only what lies inside a session, names every difference a bundle shows,
and replaces an earlier bundle only when asked."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from recordings import camd

Scenes = tuple[Path, np.ndarray]  # type: ignore[type-arg]


def one_error(result: object) -> str:
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("camd: error: "), lines
    return str(lines[0])


def set_video(folder: Path, value: str) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["cameras"]["cam"]["video"] = value
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_a_manifest_path_leaving_the_session_is_refused(scenes: Scenes, tmp_path: Path) -> None:
    folder, _ = scenes
    (folder.parent / "x_src.txt").write_text("outside\n", encoding="utf-8")
    for value in ("../x_src.txt", str(folder.parent / "x_src.txt")):
        set_video(folder, value)
        result = camd("package", str(folder), "--output", str(tmp_path / "deep" / "dir" / "b"))
        assert result.returncode == 2
        assert "leaves the session folder" in one_error(result) and value in result.stderr
        assert not (tmp_path / "deep").exists()


def test_links_out_of_the_session_are_refused(scenes: Scenes, tmp_path: Path) -> None:
    folder, _ = scenes
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "key.txt").write_text("secret\n", encoding="utf-8")
    (folder / "post").mkdir()
    os.symlink(tmp_path / "secret" / "key.txt", folder / "post" / "report.md")
    result = camd("package", str(folder), "--output", str(tmp_path / "b"))
    assert result.returncode == 2
    assert f"{folder.resolve()}/post/report.md: a link to" in one_error(result)
    (folder / "post" / "report.md").unlink()
    (folder / "logs").mkdir()
    os.symlink("/etc/hostname", folder / "logs" / "x.log")
    result = camd("package", str(folder), "--output", str(tmp_path / "b"), "--include", "logs")
    assert result.returncode == 2 and "logs/x.log: a link to" in one_error(result)
    assert not (tmp_path / "b").exists()


def test_a_missing_video_is_refused_unless_forced(scenes: Scenes, tmp_path: Path) -> None:
    folder, _ = scenes
    (folder / "cam.mkv").unlink()
    result = camd("package", str(folder), "--output", str(tmp_path / "b"))
    assert result.returncode == 2
    assert one_error(result) == (
        f"camd: error: {folder.resolve()}/cam.mkv: camera 'cam' video is missing; restore it, or pass --force"
    )
    assert camd("package", str(folder), "--output", str(tmp_path / "b"), "--force").returncode == 0


def test_verify_names_changed_missing_and_unexpected_files(scenes: Scenes, tmp_path: Path) -> None:
    folder, _ = scenes
    bundle = tmp_path / "b"
    assert camd("package", str(folder), "--output", str(bundle)).returncode == 0
    data = bundle / "data" / folder.name
    (data / "cam.timestamps.csv").unlink()
    (data / "extra.txt").write_text("new\n", encoding="utf-8")
    result = camd("package", "--verify", str(bundle))
    assert result.returncode == 1
    assert one_error(result) == (
        f"camd: error: bundle {bundle}: 2 file(s) changed: data/{folder.name}/cam.timestamps.csv (missing); "
        f"data/{folder.name}/extra.txt (not in the manifest)"
    )


def test_outputs_inside_a_session_or_over_a_bundle(scenes: Scenes, tmp_path: Path) -> None:
    folder, _ = scenes
    inside = camd("package", str(folder), "--output", str(folder / "post" / "b"))
    assert inside.returncode == 2 and "inside session" in one_error(inside)
    assert not (folder / "post").exists()
    bundle = tmp_path / "b1"
    assert camd("package", str(folder), "--output", str(bundle), "--zip").returncode == 0
    (bundle / "stale.txt").write_text("old\n", encoding="utf-8")
    again = camd("package", str(folder), "--output", str(bundle), "--zip")
    assert again.returncode == 3 and "pass --force" in one_error(again)
    (tmp_path / "b2").mkdir()
    (tmp_path / "b2.zip").write_bytes(b"earlier")
    zipped = camd("package", str(folder), "--output", str(tmp_path / "b2"), "--zip")
    assert zipped.returncode == 3 and "b2.zip exists" in one_error(zipped)
    replaced = camd("package", str(folder), "--output", str(bundle), "--zip", "--force", "--json")
    assert replaced.returncode == 0, replaced.stderr
    assert json.loads(replaced.stdout) == {
        "command": "package", "sessions": [str(folder)], "output": str(tmp_path / "b1.zip"), "files": 3
    }  # fmt: skip
    assert not (bundle / "stale.txt").exists()
    assert camd("package", "--verify", str(tmp_path / "b1.zip")).returncode == 0
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine\n", encoding="utf-8")
    refused = camd("package", str(folder), "--output", str(other), "--force")
    assert refused.returncode == 3 and "is not a bundle" in one_error(refused)
    assert (other / "keep.txt").exists()


def test_a_missing_folder_is_bad_input(tmp_path: Path) -> None:
    for command in ("extract", "cluster", "package"):
        extra = ["--every", "1"] if command == "extract" else ["--output", str(tmp_path / "b")]
        result = camd(command, str(tmp_path / "nope"), *(extra if command != "cluster" else []))
        assert result.returncode == 2, (command, result.stderr)
        assert "no such session folder" in one_error(result)
    events = tmp_path / "e.csv"
    events.write_text("start,label\n0,a\n", encoding="utf-8")
    result = camd("annotate", str(tmp_path / "nope"), "--events", str(events), "--camera", "cam")
    assert result.returncode == 2 and "no such session folder" in one_error(result)
