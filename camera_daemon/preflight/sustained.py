"""`--seconds N`: every camera recorded together for N seconds into a scratch folder, then removed.

A rate the cameras keep alone can fail together (two cores, four encoders), so the real recorder
runs, all cameras at once, on the disk the session will use. CPU per camera is what its worker
and its ffmpeg used, as the manifest records it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from camera_daemon.config import SessionConfig
from camera_daemon.errors import CamdError
from camera_daemon.preflight.disk import existing_folder
from camera_daemon.preflight.rows import Row, Verdict
from camera_daemon.recording import record

_SLOW = 0.95  # below this share of the camera's own rate, the rate is not sustained


def _camera_row(name: str, entry: dict[str, Any]) -> Row:
    frames = int(entry.get("frames_written") or 0)
    fps = float(entry.get("mean_fps") or 0.0)
    nominal = float(entry.get("nominal_fps") or 0.0)
    drops = int(entry.get("drops_total") or 0)
    cpu = entry.get("cpu_percent")
    cpu_text = f"{cpu:.0f}% of a core" if cpu is not None else "CPU not sampled"
    detail = f"{fps:.1f} fps (camera states {nominal:.1f}), {frames} frames, {drops} dropped, {cpu_text}"
    values = {"fps": fps, "nominal_fps": nominal, "frames": frames, "drops": drops, "cpu_percent": cpu}
    if entry.get("exit_state") == "failed":
        return Row(f"sustained {name}", Verdict.fail, f"failed: {entry.get('error')}", values)
    if drops:
        return Row(f"sustained {name}", Verdict.fail, detail, values)
    if nominal > 0 and fps < _SLOW * nominal:
        return Row(f"sustained {name}", Verdict.warn, f"{detail}: slower than the camera's rate", values)
    return Row(f"sustained {name}", Verdict.ok, detail, values)


def check_sustained(config: SessionConfig, seconds: float) -> list[Row]:
    scratch = Path(tempfile.mkdtemp(prefix=".camd-preflight-", dir=existing_folder(config.session.output)))
    session = config.session.model_copy(update={"output": scratch, "name": "preflight", "duration_s": seconds})
    trial = config.model_copy(update={"session": session, "post": config.post.model_copy(update={"enabled": False})})
    try:
        _, manifest = record(trial)
    except CamdError as error:
        return [Row("sustained", Verdict.fail, str(error))]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    cameras: dict[str, Any] = manifest.get("cameras") or {}
    return [_camera_row(name, entry) for name, entry in cameras.items()]
