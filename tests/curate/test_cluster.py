"""camd cluster on a session with three known scenes shown in blocks: the clusters are the scenes."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from conftest import BLOCK, SCENE_BLOCKS

from recordings import camd


def test_clusters_equal_the_scenes(scenes: tuple[Path, np.ndarray]) -> None:  # type: ignore[type-arg]
    folder, truth = scenes
    result = camd("cluster", str(folder), "--json", "--quiet")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["frames"] == truth.size
    groups = []
    for entry in report["clusters"]:
        members = set()
        for span in entry["ranges"]:
            members.update(range(span["first_frame"], span["last_frame"] + 1))
        assert entry["size"] == len(members)
        groups.append(members)
    expected = [set(np.flatnonzero(truth == scene).tolist()) for scene in range(3)]
    assert sorted(map(sorted, groups)) == sorted(map(sorted, expected))
    for entry in report["clusters"]:  # each scene came back twice: two blocks, two time ranges
        starts = [span["first_frame"] for span in entry["ranges"]]
        assert len(starts) == 2 and starts[1] - starts[0] == 3 * BLOCK
        assert truth[entry["representative"]["frame_index"]] == SCENE_BLOCKS[starts[0] // BLOCK]
    sheet = cv2.imread(report["contact_sheet"])
    assert sheet is not None and sheet.shape[0] > 0
    assert (folder / "post" / "clusters" / "clusters.csv").read_text().count("\n") == 4


def test_cluster_threshold_out_of_range_is_one_line(scenes: tuple[Path, np.ndarray]) -> None:  # type: ignore[type-arg]
    result = camd("cluster", str(scenes[0]), "--threshold", "65")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "camd: error: --threshold 65: give a number of pHash bits from 0 to 64"
    ]
