"""`--json` on the recording and export commands: one object on stdout that agrees with the session."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from recordings import camd, manifest, table

CAMERAS = ["--camera", "a=synthetic:?width=64&height=48&fps=40", "--camera", "b=synthetic:?width=64&height=48&fps=25"]


def _json(result) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout  # one object, nothing else on stdout
    return json.loads(lines[0])  # type: ignore[no-any-return]


def test_run_timestamps_recover_and_stitch_report_json(tmp_path: Path) -> None:
    run = _json(camd("run", *CAMERAS, "--duration", "1", "--output", str(tmp_path), "--session", "s", "--json"))
    session = tmp_path / "s"
    recorded = manifest(session)
    assert run["session"] == str(session) and run["exit_state"] == "stopped" == recorded["exit_state"]
    assert run["failed_cameras"] == [] and set(run["cameras"]) == {"a", "b"}
    for name, entry in run["cameras"].items():
        assert entry["frames_in_video"] == recorded["cameras"][name]["frames_in_video"] > 10
        assert entry["frames_in_video"] == len(table(session, name)["frame_index"])
        assert entry["video"] == recorded["cameras"][name]["video"]

    exported = _json(camd("timestamps", str(session), "--format", "parquet", "--camera", "b", "--json"))
    assert exported["format"] == "parquet" and [f["camera"] for f in exported["files"]] == ["b"]
    written = Path(exported["files"][0]["path"])
    assert written == session / "b.timestamps.parquet"
    assert exported["files"][0]["rows"] == pq.read_table(written).num_rows == run["cameras"]["b"]["frames_in_video"]

    recovered = _json(camd("recover", str(session), "--force", "--json"))
    assert recovered["exit_state"] == "recovered" == manifest(session)["exit_state"]
    assert {n: e["frames_in_video"] for n, e in recovered["cameras"].items()} == {
        n: e["frames_in_video"] for n, e in run["cameras"].items()
    }

    stitched = _json(camd("stitch", str(session), "--quiet", "--json"))
    (result,) = stitched["results"]
    report = json.loads((session / "post" / "report.json").read_text())
    assert result["session"] == str(session) and Path(result["video"]).is_file()
    assert result["frames_written"] > 10 and result["aligned_rows"] >= result["frames_written"]
    assert json.dumps(report)  # the report the result points at exists and is JSON
    assert Path(result["report"]).is_file()


def test_demo_twice_in_a_row_makes_two_sessions_without_force(tmp_path: Path) -> None:
    first = _json(camd("demo", "--output", str(tmp_path), "--duration", "1", "--json"))
    second = _json(camd("demo", "--output", str(tmp_path), "--duration", "1", "--json"))
    assert first["session"] != second["session"]
    for report in (first, second):
        assert set(report["cameras"]) == {"left", "right", "top"}
        assert manifest(Path(report["session"]))["exit_state"] == "stopped"


def test_daemon_start_and_stop_report_json(tmp_path: Path, runtime: Path) -> None:
    started = _json(camd("start", *CAMERAS, "--name", "j", "--output", str(tmp_path), "--session", "d", "--json"))
    assert started == {"name": "j", "session": str(tmp_path / "d"), "pid": started["pid"]}
    assert isinstance(started["pid"], int)
    stopped = _json(camd("stop", "--name", "j", "--json"))
    final = manifest(tmp_path / "d")
    assert stopped["exit_state"] == final["exit_state"] == "stopped"
    assert {n: e["frames_in_video"] for n, e in stopped["cameras"].items()} == {
        n: e["frames_in_video"] for n, e in final["cameras"].items()
    }


def test_preview_address_goes_to_stderr_with_json(tmp_path: Path) -> None:
    """A script parses stdout whole: the preview's address is for the person, on stderr."""
    run = camd("run", *CAMERAS, "--duration", "1", "--output", str(tmp_path), "--session", "r", "-q", "--json")
    assert json.loads(run.stdout)["session"] == str(tmp_path / "r"), run.stdout
    assert "preview: http://" in run.stderr, run.stderr
    demo = camd("demo", "--output", str(tmp_path), "--session", "d", "--duration", "1", "--json")
    assert json.loads(demo.stdout)["session"] == str(tmp_path / "d"), demo.stdout
    assert "preview: http://" in demo.stderr, demo.stderr
    quiet = camd("demo", "--output", str(tmp_path), "--session", "n", "--duration", "1", "--json", "--no-preview")
    assert json.loads(quiet.stdout)["session"] == str(tmp_path / "n"), quiet.stdout
    assert "preview" not in quiet.stderr, quiet.stderr
