"""The verdict a daemon's stop owes is written only into the session it judged: a folder replaced or
rebuilt while QC ran keeps its own files, and a verdict left pending (the daemon was killed) is
filled in by the next `camd qc`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from camera_daemon.daemon.post_stage import run_qc_after_stop
from camera_daemon.qc.output import manifest_summary
from camera_daemon.qc.summary import PENDING_QC
from camera_daemon.session.manifest import write_manifest

from recordings import camd, manifest, record_session


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cameras = [{"name": "a", "fps": 30, "width": 160, "height": 120}]
    session, _ = record_session(tmp_path_factory.mktemp("pending"), cameras, session={"duration_s": 1})
    return session


def copy_pending(recorded: Path, tmp_path: Path, **changes: Any) -> Path:
    session = tmp_path / "s"
    shutil.copytree(recorded, session)
    shutil.rmtree(session / "post", ignore_errors=True)
    data = {**manifest(session), "qc": PENDING_QC, **changes}
    write_manifest(session / "manifest.json", data)
    return session


def test_a_pending_verdict_is_written_into_its_own_session(recorded: Path, tmp_path: Path) -> None:
    session = copy_pending(recorded, tmp_path)
    summary = run_qc_after_stop(session, only_if_pending=True)
    assert summary["verdict"] == "PASS", summary
    assert manifest(session)["qc"] == summary
    assert json.loads((session / "post" / "qc.json").read_text())["verdict"] == "PASS"


def test_a_session_that_no_longer_waits_gets_nothing_written(recorded: Path, tmp_path: Path) -> None:
    session = copy_pending(recorded, tmp_path)
    rebuilt = {**manifest(session), "qc": {"verdict": "WARNING", "fail": [], "warning": ["x"], "file": "post/qc.json"}}
    write_manifest(session / "manifest.json", rebuilt)  # what `camd recover --force` left meanwhile
    summary = run_qc_after_stop(session, only_if_pending=True)
    assert summary["verdict"] is None and "no longer waits" in summary["error"]
    assert manifest(session) == rebuilt
    assert not (session / "post" / "qc.json").exists()


def test_a_folder_replaced_while_the_checks_ran_gets_no_outputs(recorded: Path, tmp_path: Path) -> None:
    session = copy_pending(recorded, tmp_path)
    assert manifest_summary(session, still_ours=lambda: False) is None
    assert not (session / "post" / "qc.json").exists() and not (session / "post" / "qc.md").exists()
    assert manifest(session)["qc"] == PENDING_QC


def test_camd_qc_fills_a_verdict_left_pending(recorded: Path, tmp_path: Path) -> None:
    session = copy_pending(recorded, tmp_path)
    result = camd("qc", str(session), "--json")
    assert result.returncode == 0, result.stderr
    assert manifest(session)["qc"]["verdict"] == json.loads(result.stdout)[0]["verdict"] == "PASS"
