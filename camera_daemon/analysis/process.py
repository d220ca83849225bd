"""The analysis process of one camera: newest tapped frame in, callback, one result row out.

It runs at a lower CPU priority than the recorder and takes only the newest frame the tap holds, so
a slow callback skips frames for analysis and never holds up the worker. Whatever the callback does
(raise, return garbage, print), the recording goes on: the first traceback goes to
``logs/<camera>.analysis.log``, the state turns to failed, and the rows so far are kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import sys
import threading
import time
import traceback
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from camera_daemon.analysis.contract import check_result
from camera_daemon.analysis.latest import LatestResult
from camera_daemon.analysis.loader import load_callback
from camera_daemon.analysis.pidfile import write_pid_record
from camera_daemon.analysis.results import ResultWriter, merge_parts
from camera_daemon.errors import ConfigError
from camera_daemon.safe_write import write_text_atomic

# The recorder always wins the CPU: under contention the callback gets roughly a tenth of a core's share.
NICENESS = 10
_LATEST_EVERY_S = 0.1


class AnalysisState:
    """Values of the status row's analysis_state field."""

    off = 0.0
    running = 1.0
    failed = 2.0
    finished = 3.0

    @staticmethod
    def name(value: float) -> str:
        return {1.0: "running", 2.0: "failed", 3.0: "finished"}.get(float(value), "off")


@dataclass(frozen=True)
class TappedFrame:
    frame: np.ndarray  # type: ignore[type-arg]
    frame_index: int
    camera_frame_id: int
    host_time_us: int


class FrameFeed(Protocol):
    def next_frame(self, after_index: int, timeout_s: float) -> TappedFrame | None:
        """The newest frame analysis wants with an index above ``after_index``, or None on timeout."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class AnalysisSpec:
    camera: str
    reference: str
    every: int
    args: dict[str, Any]
    csv: bool
    logs_dir: Path
    session_root: Path
    feed: Any  # picklable: opens the FrameFeed inside the analysis process (open_feed())
    recorder_pid: int = 0  # the supervisor; under forkserver it is not this process's parent


@dataclass
class AnalysisLinks:
    status: Any  # the worker's status row; this process writes only the analysis fields
    fields: dict[str, int]  # Field name -> index in that row
    stop: Any
    latest: Any  # block for LatestResult
    latencies: array = field(default_factory=lambda: array("q"))  # type: ignore[type-arg]


def log_path(logs_dir: Path, camera: str) -> Path:
    return logs_dir / f"{camera}.analysis.log"


def summary_path(logs_dir: Path, camera: str) -> Path:
    return logs_dir / f"{camera}.analysis.json"


# After the recorder died, a callback gets this long to return before its whole group is killed.
_ORPHAN_GRACE_S = 2.0


def run_analysis(spec: AnalysisSpec, links: AnalysisLinks) -> None:
    """Process entry point; always exits 0, since a failed callback is a result, not a crash."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.setsid()  # its own group: what a callback forks is killed with it (analysis_runner.stop)
    write_pid_record(spec.logs_dir, spec.camera)  # for camd recover, should this process outlive its recorder
    orphaned = _watch_recorder(spec.recorder_pid)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    _output_to_log(log_path(spec.logs_dir, spec.camera))
    row, index = links.status, links.fields
    row[index["analysis_state"]] = AnalysisState.running
    error: str | None = None
    writer = ResultWriter(spec.logs_dir, spec.camera)
    try:
        callback = load_callback(spec.reference, spec.camera)
        feed: FrameFeed = spec.feed.open_feed()
        try:
            error = _loop(spec, links, callback, feed, writer, orphaned)
        finally:
            feed.close()
    except ConfigError as failure:
        error = str(failure)
        _log_failure(spec, error)
    except BaseException as failure:  # a fault of camd's own: the recording still goes on
        error = f"{type(failure).__name__}: {failure}"
        _log_failure(spec, "".join(traceback.format_exception(failure)))
    finally:
        try:
            writer.flush()
        except Exception as failure:  # rows pyarrow cannot take must not cost the merge of earlier parts
            error = error or f"results not written: {type(failure).__name__}: {failure}"
            _log_failure(spec, error)
        with contextlib.suppress(OSError):
            merge_parts(spec.logs_dir, spec.session_root, spec.camera, csv=spec.csv)
        _write_summary(spec, links, error)
        row[index["analysis_state"]] = AnalysisState.failed if error else AnalysisState.finished
        if orphaned.is_set():  # nobody will stop what the callback forked: end the whole group now
            os.killpg(os.getpgrp(), signal.SIGKILL)


def _watch_recorder(pid: int) -> threading.Event:
    """Set once the recorder is gone; a callback that never returns is then killed with its group.

    A pidfd, not a parent check: under forkserver the parent is the fork server, which outlives a
    SIGKILLed recorder, and a pid can be reused while a pidfd cannot.
    """
    gone = threading.Event()
    try:
        descriptor = os.pidfd_open(pid) if pid > 0 else -1
    except OSError:
        gone.set()
        return gone
    if descriptor < 0:
        return gone

    def watch() -> None:
        select.select([descriptor], [], [])
        gone.set()
        threading.Event().wait(_ORPHAN_GRACE_S)  # the loop's chance to flush, merge and end by itself
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="recorder-watch", daemon=True).start()
    return gone


def _loop(
    spec: AnalysisSpec,
    links: AnalysisLinks,
    callback: Any,
    feed: FrameFeed,
    writer: ResultWriter,
    orphaned: threading.Event,
) -> str | None:
    row, index = links.status, links.fields
    latest = LatestResult(links.latest)
    onset_utc_us = int(row[index["onset_utc_us"]])
    last_index = -1
    analysed = 0
    last_published = 0.0
    while not links.stop.is_set() and not orphaned.is_set():  # a killed recorder: keep the rows, end
        tapped = feed.next_frame(last_index, timeout_s=0.05)
        now = time.monotonic()
        writer.flush_if_due(now)
        if tapped is None:
            continue
        onset_utc_us = onset_utc_us or int(row[index["onset_utc_us"]])
        try:
            fields = check_result(
                callback(tapped.frame, tapped.frame_index, tapped.camera_frame_id, tapped.host_time_us, **spec.args)
            )
        except BaseException as failure:  # user code: anything, SystemExit and KeyboardInterrupt included
            text = "".join(traceback.format_exception(failure))
            _log_failure(spec, f"frame {tapped.frame_index}: the callback failed\n{text}")
            return f"{type(failure).__name__}: {str(failure).splitlines()[0] if str(failure) else ''}".rstrip(": ")
        frame_utc_us = onset_utc_us + tapped.host_time_us
        latency_us = time.time_ns() // 1000 - frame_utc_us
        writer.add((tapped.frame_index, tapped.camera_frame_id, tapped.host_time_us, frame_utc_us, latency_us), fields)
        links.latencies.append(latency_us)
        analysed += 1
        last_index = tapped.frame_index
        row[index["analysis_frames"]] = analysed
        row[index["analysis_skipped"]] = tapped.frame_index // spec.every + 1 - analysed
        row[index["analysis_latency_us"]] = latency_us
        if now - last_published >= _LATEST_EVERY_S:
            latest.publish({"frame_index": tapped.frame_index, **fields})
            last_published = now
    return None


def _output_to_log(path: Path) -> None:
    """A callback's prints and a native library's warnings land in its log, not on the user's terminal."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o644)
    except OSError:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    os.close(descriptor)


def _log_failure(spec: AnalysisSpec, text: str) -> None:
    sys.stderr.write(f"analysis of camera '{spec.camera}' stopped: {text}\n")
    sys.stderr.flush()


def _write_summary(spec: AnalysisSpec, links: AnalysisLinks, error: str | None) -> None:
    values = np.asarray(links.latencies, dtype=np.int64)
    summary = {
        "camera": spec.camera,
        "callback": spec.reference,
        "every": spec.every,
        "state": "failed" if error else "finished",
        "error": error,
        "frames_analysed": int(links.status[links.fields["analysis_frames"]]),
        "latency_us_median": int(np.median(values)) if values.size else None,
        "latency_us_p99": int(np.percentile(values, 99)) if values.size else None,
        "latency_us_max": int(values.max()) if values.size else None,
    }
    with contextlib.suppress(OSError):
        write_text_atomic(summary_path(spec.logs_dir, spec.camera), json.dumps(summary, indent=2))
