"""`camd qc` on real recordings: a good session passes, and each injected fault fails exactly its own check.

Faults come from the synthetic camera (a skipped frame id, a clock running off its nominal rate, a
dim scene) or from editing a finished session the way a broken tool would (a table cut short
against its video, an id logged twice). Every verdict is read back from `camd qc --json`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from recordings import camd, manifest, record_session

SIZE = {"width": 320, "height": 240}
FAULTS = {
    "gap": {"drop_frames": [20]},
    "rate": {"true_fps": 24.0},  # nominal 30 Hz, frames come at 24 Hz
    "dark": {"brightness": 0.1},
}


def verdicts(result: dict[str, Any], camera: str) -> dict[str, str]:
    return {row["check"]: row["verdict"] for row in result["checks"] if row["camera"] == camera}


def not_passing(result: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(r["check"], r["camera"]): r["verdict"] for r in result["checks"] if r["verdict"] not in ("PASS", "N/A")}


def qc_json(*sessions: Path, strict: bool = False) -> tuple[int, list[dict[str, Any]]]:
    result = camd("qc", *map(str, sessions), "--json", *(["--strict"] if strict else []))
    assert result.stderr == "", result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two clean cameras through `camd run`, so the stop's own QC and its summary line are exercised."""
    output = tmp_path_factory.mktemp("good")
    result = camd(
        "run", "--camera", "a=synthetic:?width=320&height=240", "--camera", "b=synthetic:?width=320&height=240",
        "--duration", "3", "--output", str(output), "--session", "s", "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "QC: PASS; see post/qc.json" in result.stdout
    return output / "s"


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cameras = [{"name": "ok", **SIZE}] + [{"name": name, **SIZE, **fault} for name, fault in FAULTS.items()]
    session, _ = record_session(tmp_path_factory.mktemp("faulty"), cameras, session={"duration_s": 3.0})
    return session


def test_good_session_passes_every_check(good: Path) -> None:
    code, [result] = qc_json(good, strict=True)
    assert code == 0
    assert result["verdict"] == "PASS" and not_passing(result) == {}
    assert verdicts(result, "a")["rate"] == "PASS" and verdicts(result, "a")["brightness"] == "PASS"
    assert manifest(good)["qc"]["verdict"] == "PASS"  # written at stop
    written = json.loads((good / "post" / "qc.json").read_text())
    assert written["thresholds"]["max_gap_fraction"] == 0.001
    assert "## Quality control" in (good / "post" / "qc.md").read_text()


def test_table_and_several_sessions(good: Path, faulty: Path) -> None:
    result = camd("qc", str(good), str(faulty))
    assert result.returncode == 1
    assert f"{good}  QC: PASS" in result.stdout and f"{faulty}  QC: FAIL" in result.stdout


def test_section_joins_the_post_report_and_stitch_still_runs(good: Path, tmp_path: Path) -> None:
    """QC at stop must not leave a report.md that makes a later `camd stitch` demand --force."""
    session = Path(shutil.copytree(good, tmp_path / "s"))
    stitched = camd("stitch", str(session))
    assert stitched.returncode == 0, stitched.stderr
    for _ in range(2):  # a rerun replaces its section, never adds a second
        assert camd("qc", str(session)).returncode == 0
    report = (session / "post" / "report.md").read_text()
    assert report.count("## Quality control") == 1 and "Verdict: **PASS**" in report
    assert report.index("## Quality control") > 0  # after the post-stop stage's own report


def test_each_injected_fault_fails_only_its_check(faulty: Path) -> None:
    code, [result] = qc_json(faulty)
    assert code == 1
    assert not_passing(result) == {
        ("frame_ids", "gap"): "FAIL",
        ("rate", "rate"): "FAIL",
        ("brightness", "dark"): "WARNING",
    }
    gap = next(r for r in result["checks"] if r["check"] == "frame_ids" and r["camera"] == "gap")
    assert gap["values"]["missing"] == 1 and gap["values"]["gaps"] == 1
    rate = next(r for r in result["checks"] if r["check"] == "rate" and r["camera"] == "rate")
    assert rate["values"]["rate_hz"] == pytest.approx(24.0, abs=0.3)


def _edit_table(session: Path, camera: str, edit: Any) -> None:
    path = session / f"{camera}.timestamps.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(edit(lines)))


def _repeat_id(lines: list[str]) -> list[str]:
    """Row 11 logs row 10's camera_frame_id again, as a driver that re-sends a buffer would."""
    row10, row11 = lines[10].split(","), lines[11].split(",")
    return [*lines[:11], ",".join([row11[0], row10[1], *row11[2:]]), *lines[12:]]


@pytest.mark.parametrize(
    ("edit", "check"),
    [(lambda lines: lines[:-10], "frame_counts"), (_repeat_id, "frame_ids")],
    ids=["table-cut-against-video", "repeated-id"],
)
def test_edited_table_fails_its_check(good: Path, tmp_path: Path, edit: Any, check: str) -> None:
    session = Path(shutil.copytree(good, tmp_path / "s"))
    _edit_table(session, "b", edit)
    code, [result] = qc_json(session)
    assert code == 1
    assert not_passing(result) == {(check, "b"): "FAIL"}


def test_warning_exits_one_only_with_strict(faulty: Path, tmp_path: Path) -> None:
    """Only the dark camera's WARNING left: exit 0, and 1 with --strict."""
    session = Path(shutil.copytree(faulty, tmp_path / "s"))
    data = manifest(session)
    data["cameras"] = {name: data["cameras"][name] for name in ("ok", "dark")}
    (session / "manifest.json").write_text(json.dumps(data))
    assert qc_json(session)[0] == 0
    assert qc_json(session, strict=True)[0] == 1


def test_lateness_figures_are_reported_when_the_manifest_has_them(good: Path, tmp_path: Path) -> None:
    session = Path(shutil.copytree(good, tmp_path / "s"))
    data = manifest(session)
    data["cameras"]["a"]["lateness"] = {"p50_ms": 0.4, "p99_ms": 2.5}
    for key in [key for key in data["cameras"]["b"] if "lateness" in key]:
        del data["cameras"]["b"][key]  # a manifest from before lateness was recorded
    (session / "manifest.json").write_text(json.dumps(data))
    _, [result] = qc_json(session)
    assert verdicts(result, "a")["lateness"] == "PASS" and verdicts(result, "b")["lateness"] == "N/A"
    row = next(r for r in result["checks"] if r["check"] == "lateness" and r["camera"] == "a")
    recorded = {key: value for key, value in data["cameras"]["a"].items() if key.startswith("lateness_")}
    assert recorded["lateness_max_us"] >= 0  # what the recorder measured is reported beside it
    assert row["values"] == {"lateness.p50_ms": 0.4, "lateness.p99_ms": 2.5, **recorded}


def test_not_a_session_is_one_line_exit_2(tmp_path: Path) -> None:
    result = camd("qc", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == f"camd: error: {tmp_path}: no manifest.json, so not a camd session; pass a session folder\n"


def test_recover_runs_qc(good: Path, tmp_path: Path) -> None:
    session = Path(shutil.copytree(good, tmp_path / "s"))
    (session / "post" / "qc.json").unlink()
    result = camd("recover", str(session), "--force")
    assert result.returncode == 0, result.stderr
    assert "QC: PASS" in result.stdout
    assert json.loads((session / "post" / "qc.json").read_text())["verdict"] == "PASS"
    assert manifest(session)["qc"]["verdict"] == "PASS"
