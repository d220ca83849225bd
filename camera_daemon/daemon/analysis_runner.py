"""Starts, watches and stops each analysed camera's analysis process, beside its worker.

The supervisor holds one runner per analysed camera. The runner owns what the analysis process
shares with the recorder (the status row's analysis fields, the newest result, a stop event) and
turns what it left behind into the camera's manifest entry.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from camera_daemon.analysis.latest import LatestResult, new_block
from camera_daemon.analysis.pidfile import pid_record
from camera_daemon.analysis.process import AnalysisLinks, AnalysisSpec, AnalysisState, run_analysis, summary_path
from camera_daemon.analysis.results import merge_parts, table_path
from camera_daemon.analysis.tapfeed import TapFeedSpec
from camera_daemon.config import CameraConfig
from camera_daemon.daemon.status import Field
from camera_daemon.session.folder import SessionFolder
from camera_daemon.tap import TapSpec

# A callback stuck in native code must not hold up a stop for long; its rows up to the last flush stay.
_JOIN_TIMEOUT_S = 5.0
_FIELDS = {
    name: int(Field[name])
    for name in ("analysis_state", "analysis_frames", "analysis_skipped", "analysis_latency_us", "onset_utc_us")
}


class AnalysisRunner:
    def __init__(self, context: Any, camera: CameraConfig, logs: Path, root: Path, status: Any, tap: Any) -> None:
        self.camera = camera
        self.logs = logs
        self.root = root
        self.status = status
        self.spec = AnalysisSpec(
            camera=camera.name,
            reference=camera.analysis,
            every=camera.analysis_every,
            args=dict(camera.analysis_args),
            csv=camera.analysis_csv,
            logs_dir=logs,
            session_root=root,
            feed=TapFeedSpec(tap=tap, every=camera.analysis_every),
            recorder_pid=os.getpid(),
        )
        self.links = AnalysisLinks(status=status, fields=_FIELDS, stop=context.Event(), latest=new_block(context))
        self._latest = LatestResult(self.links.latest)
        self.cut_off = False  # killed at the stop for taking too long, rather than failed
        # No new result for this long while frames come is a stuck callback, not a slow one.
        self.stall_s = max(2.0, 10.0 / camera.fps) if camera.fps else 2.0
        self._progress = (-1, time.monotonic())  # analysed frames, and when that count last changed
        status[Field.analysis_state] = AnalysisState.running
        self.process = context.Process(
            target=run_analysis, args=(self.spec, self.links), name=f"camd-{camera.name}-analysis", daemon=False
        )

    def start(self) -> None:
        self.process.start()

    def stop(self) -> None:
        """After the worker ended: the last frames are in the tap, so the callback may see them first."""
        # Alive at the stop and then too slow to finish (a niced process on a saturated machine, a
        # callback stuck in native code): cut off, not failed; only its last unflushed rows are lost.
        self.cut_off = self.process.is_alive() and self.status[Field.analysis_state] == AnalysisState.running
        self.links.stop.set()
        self.process.join(_JOIN_TIMEOUT_S)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        else:
            self.cut_off = False
        if self.process.pid is not None:  # its own group (process.run_analysis): whatever the callback forked
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        pid_record(self.logs, self.camera.name).unlink(missing_ok=True)
        if not table_path(self.root, self.camera.name).exists():  # killed before it merged its parts
            merge_parts(self.logs, self.root, self.camera.name, csv=self.camera.analysis_csv)
        if self.status[Field.analysis_state] == AnalysisState.running:
            self.status[Field.analysis_state] = AnalysisState.failed

    def _summary_from_table(self) -> dict[str, Any]:
        """The process was killed before its summary: the merged table still holds the latencies."""
        try:
            latency = pq.read_table(table_path(self.root, self.camera.name)).column("result_latency_us").to_numpy()
        except (OSError, KeyError, pa.ArrowInvalid):
            latency = np.zeros(0, dtype=np.int64)
        error = (
            f"callback did not return within {_JOIN_TIMEOUT_S:g} s of the stop; it was killed"
            if self.cut_off
            else "the analysis process ended without a summary (killed)"
        )
        summary: dict[str, Any] = {
            "state": "failed",
            "error": error,
            "frames_analysed": int(self.status[Field.analysis_frames]),
            "latency_us_median": int(np.median(latency)) if latency.size else None,
            "latency_us_p99": int(np.percentile(latency, 99)) if latency.size else None,
        }
        return summary

    def status_fields(self, row: dict[str, float]) -> dict[str, Any]:
        latency = row["analysis_latency_us"]
        state = AnalysisState.name(row["analysis_state"])
        if state == "running" and self.process.pid is not None and not self.process.is_alive():
            state = "failed"  # killed (a crash in native code, the OOM killer): it could not say so itself
        analysed, now = int(row["analysis_frames"]), time.monotonic()
        if analysed != self._progress[0]:
            self._progress = (analysed, now)
        elif state == "running" and now - self._progress[1] > self.stall_s and row["frames_written"] > analysed:
            state = "stalled"  # frames come, results do not: a callback that does not return
        return {
            "analysis": state,
            "analysis_frames": int(row["analysis_frames"]),
            "analysis_skipped": int(row["analysis_skipped"]),
            "analysis_latency_ms": round(latency / 1000, 3) if latency else None,
            "analysis_last": self._latest.read(),
            "analysis_pid": self.process.pid or 0,
        }

    def manifest_entry(self, frames_written: int) -> dict[str, Any]:
        """Skips are counted against the video: every N-th recorded frame was due, minus those analysed."""
        try:
            summary: dict[str, Any] = json.loads(summary_path(self.logs, self.camera.name).read_text())
        except (OSError, ValueError):
            summary = self._summary_from_table()
        due = (frames_written + self.camera.analysis_every - 1) // self.camera.analysis_every
        analysed = int(summary.get("frames_analysed") or 0)
        entry = {
            "callback": self.camera.analysis,
            "every": self.camera.analysis_every,
            "state": summary.get("state", "failed"),
            "error": summary.get("error"),
            "frames_analysed": analysed,
            "frames_skipped": max(0, due - analysed),
            "latency_us_median": summary.get("latency_us_median"),
            "latency_us_p99": summary.get("latency_us_p99"),
            "table": table_path(self.root, self.camera.name).name,
        }
        if summary.get("warning"):
            entry["warning"] = summary["warning"]
        self.status[Field.analysis_skipped] = entry["frames_skipped"]
        return entry


def start(
    context: Any, camera: CameraConfig, folder: SessionFolder, status: Any, tap: TapSpec | None
) -> AnalysisRunner | None:
    """The camera's analysis process, started; None for a camera without a callback (or a tap)."""
    if not camera.analysis or tap is None:
        return None
    runner = AnalysisRunner(context, camera, folder.logs, folder.root, status, tap.name)
    runner.start()
    return runner


def stop_all(runners: list[AnalysisRunner | None]) -> None:
    """Every process is told first, so N cameras wait for the slowest, not for the sum."""
    for runner in runners:
        if runner is not None:
            runner.links.stop.set()
    for runner in runners:
        if runner is not None:
            runner.stop()


def analysis_tap(tap: TapSpec, camera: CameraConfig) -> TapSpec:
    """An analysed camera's tap holds whole frames (width 0): a callback measures the recorded pixels."""
    return replace(tap, width=0) if camera.analysis else tap


def add_analysis(cameras: dict[str, Any], runners: list[AnalysisRunner | None]) -> list[str]:
    """Each analysed camera's manifest entry gets its analysis; returns the cameras whose analysis failed."""
    for runner in runners:
        entry = cameras.get(runner.camera.name) if runner is not None else None
        if runner is not None and entry is not None:
            entry["analysis"] = runner.manifest_entry(int(entry.get("frames_in_video") or 0))
    return [name for name, entry in cameras.items() if entry.get("analysis", {}).get("state") == "failed"]
