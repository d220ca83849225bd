"""QC of one session folder: gather each camera's manifest entry, table, video count and samples, run the checks."""

from __future__ import annotations

import contextlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from camera_daemon.config import QcConfig
from camera_daemon.errors import CamdError, ConfigError
from camera_daemon.qc.checks import CHECKS, CameraData
from camera_daemon.qc.sampling import scan_video
from camera_daemon.qc.verdicts import SESSION_ROW, CheckResult, SessionQc, Verdict
from camera_daemon.timing.table import read_csv


def read_session_manifest(session: Path) -> dict[str, Any]:
    if not session.is_dir():
        raise ConfigError(f"{session}: no such session folder; pass the folder camd recorded into")
    try:
        data: dict[str, Any] = json.loads((session / "manifest.json").read_text())
    except FileNotFoundError:
        raise ConfigError(f"{session}: no manifest.json, so not a camd session; pass a session folder") from None
    except (OSError, ValueError) as error:
        raise CamdError(f"{session}/manifest.json: unreadable ({error}); run camd recover {session}") from None
    if not isinstance(data.get("cameras"), dict):
        raise CamdError(f"{session}/manifest.json: has no cameras; run camd recover {session}")
    return data


def _camera(session: Path, name: str, entry: dict[str, Any], qc: QcConfig) -> CameraData:
    table = None
    table_path = session / str(entry.get("timestamps") or f"{name}.timestamps.csv")
    with contextlib.suppress(CamdError, OSError):
        table = read_csv(table_path)
    video = session / str(entry.get("video") or "")
    have_video = bool(entry.get("video")) and video.is_file()
    frames, samples = scan_video(video, qc.brightness_samples) if have_video else (None, [])
    return CameraData(name, entry, table, frames, samples, _rate_measured(session, name, entry))


def _rate_measured(session: Path, name: str, entry: dict[str, Any]) -> bool:
    """Whether nominal_fps was only timed on the first frames: the worker's result says so."""
    if "rate_measured" in entry:
        return bool(entry["rate_measured"])
    try:
        result = json.loads((session / "logs" / f"{name}.worker.json").read_text())
    except (OSError, ValueError):
        return False
    return bool(isinstance(result, dict) and result.get("rate_measured"))


def cross_camera(cameras: list[CameraData], qc: QcConfig) -> CheckResult:
    """How far apart the cameras started and ended; only a late first frame is judged."""
    if len(cameras) < 2:
        return CheckResult("cross_camera", SESSION_ROW, Verdict.NA, "one camera")
    spreads: dict[str, float | None] = {}
    for key, label in (("onset_utc_us", "onset"), ("first_utc_us", "first"), ("last_utc_us", "last")):
        times = [int(c.entry[key]) for c in cameras if isinstance(c.entry.get(key), int)]
        spreads[f"{label}_spread_ms"] = (max(times) - min(times)) / 1e3 if len(times) == len(cameras) else None
    first = spreads["first_spread_ms"]
    text = ", ".join(f"{key.split('_')[0]} {value:.1f} ms" for key, value in spreads.items() if value is not None)
    if first is None:
        return CheckResult("cross_camera", SESSION_ROW, Verdict.FAIL, "a camera has no frame", spreads)
    verdict = Verdict.PASS if first <= qc.max_start_spread_ms else Verdict.WARNING
    return CheckResult("cross_camera", SESSION_ROW, verdict, f"spread: {text}", spreads)


def run_qc(session: Path, qc: QcConfig) -> SessionQc:
    manifest = read_session_manifest(session)
    # Side by side: reading packets mostly waits on the demuxer, which lets go of the interpreter.
    with ThreadPoolExecutor(max_workers=max(1, min(4, len(manifest["cameras"])))) as pool:
        cameras = list(pool.map(lambda item: _camera(session, item[0], item[1], qc), manifest["cameras"].items()))
    results = [check(camera, qc) for check in CHECKS for camera in cameras]
    results.append(cross_camera(cameras, qc))
    return SessionQc(str(session), results)
