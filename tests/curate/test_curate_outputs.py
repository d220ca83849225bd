"""extract, cluster and annotate: bad numbers and outputs over a session's own files are refused in
one line, --force replaces only what the command itself wrote, and --json reports what was written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from recordings import camd

Scenes = tuple[Path, np.ndarray]  # type: ignore[type-arg]


def one_error(result: object) -> str:
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("camd: error: "), lines
    return str(lines[0])


def test_bad_selection_numbers_are_one_line_errors(scenes: Scenes, tmp_path: Path) -> None:
    folder, _ = scenes
    for value in ("inf", "nan", "0", "-2"):
        result = camd("extract", str(folder), "--fps", value, "--output", str(tmp_path / "x"))
        assert result.returncode == 2, (value, result.stderr)
        assert "--fps" in one_error(result) and "finite number above 0" in result.stderr
    result = camd("extract", str(folder), "--every", "0", "--output", str(tmp_path / "x"))
    assert result.returncode == 2 and "--every must be >= 1" in one_error(result)
    result = camd("extract", str(folder), "--every", "5", "--output", str(folder / "cam.mkv"))
    assert result.returncode == 2 and "inside session" in one_error(result)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = camd("extract", str(folder), "--every", "5", "--output", str(tmp_path / "file"))
    assert result.returncode == 2 and "is a file" in one_error(result)
    assert not (tmp_path / "x").exists()


def test_extract_output_and_force_replace_only_its_own_images(scenes: Scenes, tmp_path: Path) -> None:
    folder, _ = scenes
    root = camd("extract", str(folder), "--every", "10", "--output", str(folder))
    assert root.returncode == 2 and "inside session" in one_error(root)
    out = tmp_path / "frames"
    first = camd("extract", str(folder), "--every", "10", "--output", str(out), "-q", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {
        "command": "extract", "session": str(folder), "output": str(out), "table": str(out / "extracted.csv"),
        "images": 12,
    }  # fmt: skip
    (out / "mine.txt").write_text("kept\n", encoding="utf-8")
    second = camd("extract", str(folder), "--every", "30", "--output", str(out), "-q", "--force")
    assert second.returncode == 0, second.stderr
    with (out / "extracted.csv").open(newline="") as handle:
        listed = sorted(row["image"] for row in csv.DictReader(handle))
    assert len(listed) == 4
    assert sorted(p.name for p in out.iterdir()) == sorted([*listed, "extracted.csv", "mine.txt"])
    under_post = camd("extract", str(folder), "--every", "60", "--output", str(folder / "post" / "x"), "-q")
    assert under_post.returncode == 0, under_post.stderr


def test_cluster_replaces_earlier_clusters_only_with_force(scenes: Scenes) -> None:
    folder, _ = scenes
    assert camd("cluster", str(folder), "-q").returncode == 0
    again = camd("cluster", str(folder), "-q")
    assert again.returncode == 3 and "pass --force" in one_error(again)
    assert camd("cluster", str(folder), "-q", "--force").returncode == 0


def test_annotate_never_writes_over_session_files(scenes: Scenes, tmp_path: Path) -> None:
    folder, _ = scenes
    events = tmp_path / "events.csv"
    events.write_text("start,end,label\n0.5,1.0,a\n", encoding="utf-8")
    before = {name: (folder / name).read_bytes() for name in ("manifest.json", "cam.mkv")}
    for target in (folder / "manifest.json", folder / "b.mkv", folder / "post" / "x.mkv"):
        result = camd(
            "annotate", str(folder), "--events", str(events), "--camera", "cam", "--output", str(target), "--force"
        )
        assert result.returncode == 2, (target, result.stderr)
        assert "never" in one_error(result)
        assert not (folder / "b.mkv").exists() and not (folder / "post" / "x.mkv").exists()
    assert {name: (folder / name).read_bytes() for name in before} == before
    made = camd("annotate", str(folder), "--events", str(events), "--camera", "cam", "-q", "--json")
    assert made.returncode == 0, made.stderr
    report = json.loads(made.stdout)
    assert report == {"command": "annotate", "session": str(folder), "output": report["output"], "frames": 120}
    assert Path(report["output"]) == folder / "post" / "annotated" / "cam.mkv"
    for start in ("inf", "nan", "-inf"):
        events.write_text(f"start,label\n{start},a\n", encoding="utf-8")
        bad = camd(
            "annotate", str(folder), "--events", str(events), "--camera", "cam", "--output", str(tmp_path / "o.mkv")
        )
        assert bad.returncode == 2, (start, bad.stderr)
        assert "is not a time" in one_error(bad)
