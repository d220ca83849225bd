"""camd package: a BagIt bundle whose checksums catch a flipped byte, and the sessions it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from camera_daemon.session.lock import SessionLock

from recordings import camd


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_bundle_verifies_and_a_flipped_byte_is_caught(scenes: tuple[Path, np.ndarray], tmp_path: Path) -> None:  # type: ignore[type-arg]
    folder, _ = scenes
    (folder / "post").mkdir()
    (folder / "post" / "session.nwb").write_bytes(b"\x89HDF\r\n\x1a\n nwb payload")
    (folder / "post" / "report.md").write_text("# report\n", encoding="utf-8")
    bundle = tmp_path / "bundle"
    made = camd("package", str(folder), "--output", str(bundle), "--include", "nwb", "--zip")
    assert made.returncode == 0, made.stderr
    data = bundle / "data" / folder.name
    assert sorted(p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file()) == [
        "cam.mkv", "cam.timestamps.csv", "manifest.json", "post/session.nwb"
    ]  # fmt: skip
    assert (bundle / "manifest-sha256.txt").read_text().count("\n") == 4
    info = (bundle / "bag-info.txt").read_text()
    assert f"Camd-Session: {folder.name}" in info and "Camd-QC-Verdict: scenes: none" in info
    for target in (bundle, tmp_path / "bundle.zip"):
        ok = camd("package", "--verify", str(target))
        assert ok.returncode == 0, ok.stderr
        assert "4 payload files match" in ok.stdout
    flip_byte(data / "cam.mkv", 1000)
    bad = camd("package", "--verify", str(bundle))
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        f"camd: error: bundle {bundle}: 1 file(s) changed: data/{folder.name}/cam.mkv (sha256 differs)"
    ]


def test_a_session_being_recorded_is_refused(scenes: tuple[Path, np.ndarray], tmp_path: Path) -> None:  # type: ignore[type-arg]
    folder, _ = scenes
    with SessionLock.acquire(folder):
        result = camd("package", str(folder), "--output", str(tmp_path / "b"), "--force")
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is being recorded" in lines[0]
    assert not (tmp_path / "b").exists()


def test_qc_fail_is_refused_unless_forced(scenes: tuple[Path, np.ndarray], tmp_path: Path) -> None:  # type: ignore[type-arg]
    folder, _ = scenes
    (folder / "post").mkdir()
    (folder / "post" / "qc.json").write_text(json.dumps({"verdict": "FAIL", "checks": []}), encoding="utf-8")
    refused = camd("package", str(folder), "--output", str(tmp_path / "b"))
    assert refused.returncode == 3
    assert refused.stderr.strip().splitlines() == [
        f"camd: error: {folder}: QC verdict is FAIL ({folder / 'post' / 'qc.json'}); fix it, or pass --force"
    ]
    assert not (tmp_path / "b").exists()
    forced = camd("package", str(folder), "--output", str(tmp_path / "b"), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "Camd-QC-Verdict: scenes: FAIL" in (tmp_path / "b" / "bag-info.txt").read_text()
    assert (tmp_path / "b" / "data" / "scenes" / "post" / "qc.json").exists()


def test_unfinished_session_is_refused(scenes: tuple[Path, np.ndarray], tmp_path: Path) -> None:  # type: ignore[type-arg]
    folder, _ = scenes
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "exit_state": "recording"}), encoding="utf-8")
    result = camd("package", str(folder), "--output", str(tmp_path / "b"))
    assert result.returncode == 3
    assert "run camd recover first" in result.stderr and len(result.stderr.strip().splitlines()) == 1
