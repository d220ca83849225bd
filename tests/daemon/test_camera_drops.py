"""Frames a camera never sent (software triggers it could not keep up with) are drops too: status,
manifest and report count them, although no frame id gap shows them."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest

from gentl_producers import ProducerUnavailable, tlsimu_cti
from recordings import camd, manifest

# TLSimu answers a software trigger in about 0.6 ms: at 2,000 Hz nearly every other trigger is late.
CAMERA = "fast=genicam:serial:SN_InterfaceA_0?width=64&height=48&trigger=software&fps=2000"


@pytest.fixture
def tlsimu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    try:
        monkeypatch.setenv("CAMD_CTI", str(tlsimu_cti()))
    except ProducerUnavailable as reason:
        pytest.skip(f"GenTL producer unavailable: {reason}")
    monkeypatch.setenv("CAMD_RUNTIME_DIR", str(tmp_path / "runtime"))


def test_missed_software_triggers_show_in_status_manifest_and_report(tmp_path, tlsimu):
    output = tmp_path / "out"
    started = camd("start", "--camera", CAMERA, "--output", str(output), "--session", "s", "--codec", "ffv1")
    assert started.returncode == 0, started.stderr
    pid = int((tmp_path / "runtime" / "default.pid").read_text())
    try:
        deadline = time.monotonic() + 30
        while True:  # the daemon's own count, polled until the camera has missed some triggers
            reply = camd("status", "--json")
            assert reply.returncode == 0, reply.stderr
            row = json.loads(reply.stdout)["cameras"][0]
            if row["drops_missed_trigger"] > 0:
                break
            assert time.monotonic() < deadline, row
        assert row["drops_total"] >= row["drops_missed_trigger"]
        table = camd("status")
        assert table.returncode == 0 and "GiB free" in table.stdout  # the one line on free disk space
        stopped = camd("stop")
        assert stopped.returncode == 0, stopped.stderr
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    entry = manifest(output / "s")["cameras"]["fast"]
    assert entry["drops_missed_trigger"] >= row["drops_missed_trigger"] > 0
    assert entry["drops_total"] == sum(
        entry[key] for key in ("drops_buffer", "drops_frame_id_gap", "drops_missed_trigger", "drops_incomplete")
    )
    stitched = camd("stitch", str(output / "s"))
    assert stitched.returncode == 0, stitched.stderr
    report = json.loads((output / "s" / "post" / "report.json").read_text())
    assert report["cameras"][0]["drops_missed_trigger"] == entry["drops_missed_trigger"]
