"""What ``camd recover`` does for online analysis after its recorder was killed.

The analysis process ends by itself once its recorder is gone (process.py watches it), but one that
was stopped or stuck in native code may outlive that: its pid record lets recover kill its group. The
rows are then cut to the recovered video, since a result for a frame that was never written points
at nothing, and the camera's manifest entry gets its analysis rebuilt from what was left.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from camera_daemon.analysis.pidfile import pid_start_time as _start_time
from camera_daemon.analysis.results import _write_csv, merge_parts, parts_dir, table_path
from camera_daemon.config import load_config
from camera_daemon.safe_write import write_atomic
from camera_daemon.session.folder import open_session

_REAP_DEADLINE_S = 5.0


def reap(logs_dir: Path) -> list[int]:
    """Kill the groups of analysis processes a dead recorder left running; returns their pids."""
    killed = []
    for record in sorted(logs_dir.glob("*.analysis.pid")) if logs_dir.is_dir() else []:
        try:
            pid_text, started = record.read_text().split()
            pid = int(pid_text)
        except (OSError, ValueError):
            continue
        if pid > 0 and _start_time(pid) == started:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + _REAP_DEADLINE_S
            while _start_time(pid) == started and _state(pid) != "Z" and time.monotonic() < deadline:
                time.sleep(0.01)
            killed.append(pid)
        record.unlink(missing_ok=True)
    return killed


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def recover_analysis(session: Path, manifest: dict[str, Any]) -> list[str]:
    """Tables cut to the video and the cameras' analysis entries; returns the cameras whose analysis failed."""
    folder = open_session(session)
    config = load_config(folder.config)
    failed = []
    for camera in config.cameras:
        entry = manifest.get("cameras", {}).get(camera.name)
        if not camera.analysis or entry is None:
            continue
        if parts_dir(folder.logs, camera.name).is_dir():
            merge_parts(folder.logs, folder.root, camera.name, csv=camera.analysis_csv)
        frames = int(entry.get("frames_in_video") or 0)
        rows = _cut_to_video(table_path(folder.root, camera.name), frames)
        try:
            summary: dict[str, Any] = json.loads((folder.logs / f"{camera.name}.analysis.json").read_text())
        except (OSError, ValueError):
            summary = {"state": "failed", "error": "the recorder was killed before the analysis ended"}
        latency = rows.column("result_latency_us").to_numpy() if rows is not None else np.zeros(0, np.int64)
        due = (frames + camera.analysis_every - 1) // camera.analysis_every
        entry["analysis"] = {
            "callback": camera.analysis,
            "every": camera.analysis_every,
            "state": summary.get("state", "failed"),
            "error": summary.get("error"),
            "frames_analysed": latency.size,
            "frames_skipped": max(0, due - latency.size),
            "latency_us_median": int(np.median(latency)) if latency.size else None,
            "latency_us_p99": int(np.percentile(latency, 99)) if latency.size else None,
            "table": table_path(folder.root, camera.name).name,
        }
        if entry["analysis"]["state"] == "failed":
            failed.append(camera.name)
    manifest["failed_analysis"] = failed
    return failed


def _cut_to_video(path: Path, frames: int) -> pa.Table | None:
    """Rows of frames the recovered video holds; the table is rewritten only when some went."""
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowInvalid):
        return None
    kept = table.filter(pc.less(table.column("frame_index"), frames))
    if kept.num_rows != table.num_rows:
        write_atomic(path, lambda out: pq.write_table(kept, out, compression="zstd"))
        csv = path.with_suffix(".csv")
        if csv.exists():
            write_atomic(csv, lambda out: _write_csv(kept, out))
    return kept
