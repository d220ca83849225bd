"""Best: per aligned frame an intact copy wins wherever one exists, and the table says why."""

from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv

from camera_daemon.cameras.framecode import read_counter
from camera_daemon.post.options import PostOptions, StitchMode
from camera_daemon.post.stitch.best import CopyScore, choose_best, padding_fraction
from camera_daemon.post.workflow import run_post

from readback import decoded
from sessions import CameraPlan, record_session

BANDS = {"a": (3, 4, 10, 11, 12), "b": (4, 12, 13, 20), "c": (3, 4, 13)}  # frame 4: every copy damaged


def test_best_picks_an_intact_copy_whenever_one_exists(tmp_path: Path) -> None:
    plans = [
        CameraPlan("a", slots=24, width=160, height=120, black_band=BANDS["a"]),
        CameraPlan("b", slots=24, width=160, height=120, black_band=BANDS["b"], start_us=1_500),
        CameraPlan("c", slots=24, width=160, height=120, black_band=BANDS["c"], start_us=-2_000, blur=True),
    ]
    truth = record_session(tmp_path / "copies", plans)
    result = run_post(tmp_path / "copies", PostOptions(mode=StitchMode.best, progress=False, debug=True))

    decisions = pacsv.read_csv(tmp_path / "copies" / "post" / "best.decisions.csv")
    winners = decisions.column("winner").to_pylist()
    reasons = decisions.column("reason").to_pylist()
    frames = list(decoded(result.video, fmt="gray"))
    assert len(frames) == len(winners) == 24
    for row, ((pixels, _), winner, reason) in enumerate(zip(frames, winners, reasons, strict=True)):
        intact = [name for name in "abc" if row not in BANDS[name]]
        assert read_counter(pixels) == truth["a"].content[row]
        if intact:
            assert winner in intact, (row, winner, reason)
            assert padding_fraction(pixels) == 0.0, "the written frame is the intact one"
            if intact == ["c"]:
                assert "least black padding" in reason
            if len(intact) > 1:
                assert "least black padding" not in reason, "equally complete copies go on to the next evidence"
        else:
            assert "least black padding" not in reason and padding_fraction(pixels) > 0.2
    assert any(intact == ["c"] for intact in ([n for n in "abc" if r not in BANDS[n]] for r in range(24)))
    assert decisions.column("c_padding").to_pylist()[3] > 0.2
    assert (tmp_path / "copies" / "post" / "best.compare.mkv").exists()


def test_choice_when_copies_are_missing() -> None:
    names = ["a", "b"]
    assert choose_best([None, None], names).winner == -1
    intact = CopyScore(float("nan"), float("nan"), 0.1, 1.2, 1.0, 0.0)
    only = choose_best([None, intact], names)
    assert only.winner == 1 and "only b" in only.reason
    padded = CopyScore(float("nan"), float("nan"), 0.1, 1.2, 1.0, 0.25)
    assert choose_best([padded, intact], names).winner == 1


def test_padding_counts_dark_rows_and_columns() -> None:
    frame = np.full((100, 200), 128, dtype=np.uint8)
    frame[:25] = 0
    frame[:, :50] = 3
    assert abs(padding_fraction(frame) - (1 - 0.75 * 0.75)) < 1e-9
