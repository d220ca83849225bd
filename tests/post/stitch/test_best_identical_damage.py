"""Best copy when two of three copies carry the very same damage (one bad link or decoder feeding
both): they agree with each other everywhere, yet the intact third copy must win."""

from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pytest

from camera_daemon.post.options import PostOptions, StitchMode
from camera_daemon.post.workflow import run_post

from scenes import DAMAGE, damage, textured, write_session

ROWS = 40
NAMES = ("a", "b", "c")


@pytest.mark.parametrize("kind", DAMAGE)
def test_intact_copy_beats_two_identical_damaged_copies(tmp_path: Path, kind: str) -> None:
    rng = np.random.default_rng(11)
    scene = textured(ROWS, 160, 120, 1.0, 4)
    damaged = {row: {NAMES[row % 3], NAMES[(row + 1) % 3]} for row in range(4, ROWS, 3)}
    copies: dict[str, list[np.ndarray]] = {name: [] for name in NAMES}  # type: ignore[type-arg]
    for row, frame in enumerate(scene):
        broken = damage(frame, kind, rng) if row in damaged else frame
        for name in NAMES:
            copies[name].append(broken if name in damaged.get(row, ()) else frame)
    times = {name: np.array([round(row * 1e6 / 30) + 500 * k for row in range(ROWS)]) for k, name in enumerate(NAMES)}
    write_session(tmp_path / "s", copies, codec="ffv1", times_us=times)

    run_post(tmp_path / "s", PostOptions(mode=StitchMode.best, progress=False))
    table = pacsv.read_csv(tmp_path / "s" / "post" / "best.decisions.csv")
    winners, reasons = table.column("winner").to_pylist(), table.column("reason").to_pylist()

    wrong = [(row, winners[row], reasons[row]) for row in damaged if winners[row] in damaged[row]]
    assert wrong == [], f"{len(wrong)} of {len(damaged)} rows went to a damaged copy"
    assert all("damaged:" in reasons[row] or "least black padding" in reasons[row] for row in damaged)
    assert [winners[row] for row in range(4)] == ["a"] * 4, "intact rows keep the first copy"
