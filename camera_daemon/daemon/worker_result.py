"""What a worker leaves behind when it ends: ``logs/<camera>.worker.json``, the counts and settings
the manifest entry is built from, and what the camera cost in CPU.

Written by the worker itself, read by the supervisor at stop (daemon/outcome.py).
"""

from __future__ import annotations

import contextlib
import json
import resource
import time
from pathlib import Path
from typing import Any

from camera_daemon.cameras.base import Camera
from camera_daemon.daemon.status import Field
from camera_daemon.errors import CamdError
from camera_daemon.safe_write import write_text_atomic


def worker_result(name: str, status: Any, camera: Camera | None, error: BaseException | None) -> dict[str, Any]:
    extra = getattr(camera, "extra_drops", None) or {}
    return {
        "camera": name,
        "frames_written": int(status[Field.frames_written]),
        "timestamps_logged": int(status[Field.timestamps_logged]),
        "frames_acquired": int(status[Field.frames_acquired]),
        "drops_buffer": int(status[Field.drops_buffer]),
        "drops_frame_id_gap": int(status[Field.drops_frame_id_gap]),
        "paused_frames": int(status[Field.paused_frames]),
        "drops_missed_trigger": int(extra.get("missed_trigger", 0)),
        "drops_incomplete": int(extra.get("incomplete", 0)),
        "disk_full": bool(status[Field.disk_full]),
        "frame_times": "recorded",  # each frame reached ffmpeg with its logged time (timed_stream.py)
        "ended_utc": time.time(),
        **(
            {}
            if camera is None
            else {
                "width": camera.geometry.width,
                "height": camera.geometry.height,
                "pixel_format": camera.geometry.pixel_format.value,
                "nominal_fps": camera.geometry.nominal_fps,
                **getattr(camera, "read_back", {}),
                "setting_warnings": list(getattr(camera, "setting_warnings", [])),
                "rate_measured": camera.geometry.rate_measured,
            }
        ),
        "error": None if error is None else _describe(error),
    }


def _describe(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text.splitlines()[0] if isinstance(error, CamdError) else f"{type(error).__name__}: {text}"


def cpu_use(started: float) -> dict[str, float]:
    """What one camera costs: this worker and its ffmpeg, which has been waited for by now and so
    counts among the children. A forked process starts with its counters at zero."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    wall = time.monotonic() - started
    return {"cpu_seconds": round(seconds, 3), "cpu_percent": round(100 * seconds / wall, 1) if wall > 0 else 0.0}


def write_result(path: Path, result: dict[str, Any]) -> None:
    """A full disk can refuse even this; the supervisor then falls back on the status row."""
    try:
        write_text_atomic(path, json.dumps(result, indent=2))
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink()
