"""The per-camera checks: pure functions of a camera's manifest entry, its table and its video.

Each returns one verdict with the figures behind it, so a reader sees why, not only what. The
thresholds and their sources are in thresholds.py; the defaults are ``QcConfig``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from camera_daemon.config import QcConfig
from camera_daemon.qc.verdicts import CheckResult, Verdict

Array = np.ndarray  # type: ignore[type-arg]


@dataclass(frozen=True)
class CameraData:
    """What QC knows of one camera; ``table`` is None when the timestamp table is missing or unreadable."""

    name: str
    entry: dict[str, Any]
    table: dict[str, Array] | None
    video_frames: int | None
    brightness: list[float]
    rate_measured: bool = False  # the camera stated no rate; the manifest's nominal_fps was timed at start


def _result(camera: CameraData, check: str, verdict: Verdict, detail: str, **values: Any) -> CheckResult:
    return CheckResult(check, camera.name, verdict, detail, values)


def frame_counts(camera: CameraData, qc: QcConfig) -> CheckResult:
    rows = None if camera.table is None else int(camera.table["frame_index"].size)
    written = camera.entry.get("frames_written")
    counts = {"video": camera.video_frames, "table": rows, "written": written}
    if camera.video_frames is None or rows is None:
        missing = " and ".join(name for name, value in counts.items() if value is None)
        return _result(camera, "frame_counts", Verdict.FAIL, f"no {missing} to count", **counts)
    known = [int(value) for value in counts.values() if value is not None]
    spread = max(known) - min(known)
    text = f"video {camera.video_frames}, table {rows}, written {written}"
    if spread == 0:
        return _result(camera, "frame_counts", Verdict.PASS, text, **counts)
    verdict = Verdict.WARNING if spread < qc.frame_count_warn_below else Verdict.FAIL
    return _result(camera, "frame_counts", verdict, f"{text}: off by {spread}", **counts)


def _ids(camera: CameraData) -> Array | None:
    """The device's own counter, or None where the backend has none (every id negative)."""
    if camera.table is None or camera.table["camera_frame_id"].size == 0:
        return None
    ids = camera.table["camera_frame_id"]
    return None if bool(np.all(ids < 0)) else ids


def frame_ids(camera: CameraData, qc: QcConfig) -> CheckResult:
    ids = _ids(camera)
    if ids is None:
        return _result(camera, "frame_ids", Verdict.NA, "no frame counter")
    steps = np.diff(ids)
    back, repeated = int(np.count_nonzero(steps < 0)), int(np.count_nonzero(steps == 0))
    # Frames grabbed while paused were never meant to be saved: their ids are skipped, not lost.
    paused = int(camera.entry.get("paused_frames") or 0)
    missing = max(0, int(np.sum(steps[steps > 1] - 1)) - paused)
    gaps = int(np.count_nonzero(steps > 1)) if missing else 0
    expected = int(ids.size) + missing
    fraction = missing / expected if expected else 0.0
    values = {
        "gaps": gaps,
        "missing": missing,
        "missing_fraction": fraction,
        "repeated": repeated,
        "backwards": back,
        "paused_frames": paused,
    }
    if back or repeated:
        first = int(np.flatnonzero(steps <= 0)[0]) + 1
        what = f"{back} step(s) back" if back else f"{repeated} repeated id(s)"
        return _result(camera, "frame_ids", Verdict.FAIL, f"{what}, first at row {first}", **values)
    if missing == 0:
        text = f"every id advances by 1 ({paused} skipped while paused)" if paused else "every id advances by 1"
        return _result(camera, "frame_ids", Verdict.PASS, text, **values)
    verdict = Verdict.WARNING if fraction < qc.max_gap_fraction else Verdict.FAIL
    text = f"{missing} id(s) missing in {gaps} gap(s), {fraction:.3%} of frames"
    return _result(camera, "frame_ids", verdict, text, **values)


def host_times(camera: CameraData, qc: QcConfig) -> CheckResult:
    if camera.table is None:
        return _result(camera, "host_times", Verdict.FAIL, "no timestamp table")
    steps = np.diff(camera.table["host_time_us"])
    duplicates, back = int(np.count_nonzero(steps == 0)), int(np.count_nonzero(steps < 0))
    if duplicates or back:
        text = f"{duplicates} duplicate and {back} decreasing time(s)"
        return _result(camera, "host_times", Verdict.FAIL, text, duplicates=duplicates, decreasing=back)
    return _result(camera, "host_times", Verdict.PASS, "strictly increasing", duplicates=0, decreasing=0)


def _nominal(camera: CameraData) -> float | None:
    """The rate the camera or the config stated; a rate camd only timed on the first frames is none."""
    nominal = None if camera.rate_measured else camera.entry.get("nominal_fps")
    return float(nominal) if isinstance(nominal, int | float) and nominal > 0 else None


def _no_nominal(camera: CameraData) -> str:
    timed = camera.entry.get("nominal_fps")
    if camera.rate_measured and isinstance(timed, int | float):
        return f"no nominal rate (the camera states none; about {timed:.1f} Hz at start)"
    return "no nominal rate"


def _span_s(camera: CameraData) -> float:
    host = camera.table["host_time_us"] if camera.table is not None else np.zeros(0, np.int64)
    return float(host[-1] - host[0]) / 1e6 if host.size > 1 else 0.0


def _clock_us(camera: CameraData) -> Array:
    """Frame times in µs on the best clock the camera has: its own where it has one, else the host's."""
    assert camera.table is not None
    device = camera.table["device_time_ns"]
    return device / 1e3 if device.size and bool(np.all(device >= 0)) else camera.table["host_time_us"].astype(float)


def rate(camera: CameraData, qc: QcConfig) -> CheckResult:
    """Judged on 1/median period, as IBL computes it: a producer that queued frames while the recorder
    started delivers them in a burst, which skews a mean over a short recording but not a median.
    The period is per counter step, so dropped frames (``frame_ids`` judges them) do not read as a
    slow camera. The mean rate over the whole recording is reported beside it."""
    nominal, span = _nominal(camera), _span_s(camera)
    if nominal is None or span <= 0 or camera.table is None:
        why = _no_nominal(camera) if nominal is None else "fewer than 2 frames"
        return _result(camera, "rate", Verdict.NA, why)
    ids = _ids(camera)
    times = np.diff(_clock_us(camera))
    steps = np.diff(ids) if ids is not None else np.ones(times.size, dtype=np.int64)
    usable = steps > 0
    median_hz = 1e6 / float(np.median(times[usable] / steps[usable])) if bool(np.any(usable)) else 0.0
    mean_hz = float(steps[usable].sum()) / span
    off = abs(median_hz - nominal)
    within = [off <= qc.rate_tolerance_hz, off <= qc.rate_tolerance_fraction * nominal]
    verdict = Verdict.PASS if all(within) else Verdict.WARNING if any(within) else Verdict.FAIL
    text = f"{median_hz:.3f} Hz (mean {mean_hz:.3f}) against {nominal:g} Hz nominal ({off / nominal:.2%} off)"
    return _result(camera, "rate", verdict, text, rate_hz=median_hz, mean_hz=mean_hz, nominal_hz=nominal, off_hz=off)


def intervals(camera: CameraData, qc: QcConfig) -> CheckResult:
    if camera.table is None or camera.table["host_time_us"].size < 2:
        return _result(camera, "intervals", Verdict.NA, "fewer than 2 frames")
    ms = np.diff(camera.table["host_time_us"]).astype(np.float64) / 1e3
    median, std = float(np.median(ms)), float(np.std(ms))
    nominal = _nominal(camera)
    values = {"median_ms": median, "std_ms": std, "max_ms": float(ms.max())}
    if nominal is None:
        text = f"median {median:.2f} ms, sd {std:.2f} ms; {_no_nominal(camera)}"
        return _result(camera, "intervals", Verdict.NA, text, **values)
    off = abs(median - 1e3 / nominal)
    verdict = Verdict.PASS if off <= qc.interval_tolerance_ms else Verdict.FAIL
    text = f"median {median:.2f} ms ({off:.2f} ms from 1/fps), sd {std:.2f} ms"
    return _result(camera, "intervals", verdict, text, **values)


def device_clock(camera: CameraData, qc: QcConfig) -> CheckResult:
    device = None if camera.table is None else camera.table["device_time_ns"]
    if device is None or camera.table is None or device.size < 2 or bool(np.any(device < 0)):
        return _result(camera, "device_clock", Verdict.NA, "no device clock")
    host_ns = np.diff(camera.table["host_time_us"]).astype(np.float64) * 1e3
    device_ns = np.diff(camera.table["device_time_ns"]).astype(np.float64)
    error_ms = np.abs(host_ns - device_ns) / 1e6
    median, p99 = float(np.median(error_ms)), float(np.percentile(error_ms, 99))
    verdict = Verdict.PASS if p99 <= qc.device_clock_tolerance_ms else Verdict.WARNING
    text = f"|d(host) - d(device)| median {median:.3f} ms, p99 {p99:.3f} ms"
    return _result(camera, "device_clock", verdict, text, median_ms=median, p99_ms=p99)


def drops(camera: CameraData, qc: QcConfig) -> CheckResult:
    keys = ("drops_buffer", "drops_missed_trigger", "drops_incomplete")
    counts = {key: int(camera.entry.get(key) or 0) for key in keys}
    total = sum(counts.values())
    text = ", ".join(f"{key.removeprefix('drops_')} {value}" for key, value in counts.items())
    return _result(camera, "drops", Verdict.PASS if total == 0 else Verdict.FAIL, text, **counts)


def brightness(camera: CameraData, qc: QcConfig) -> CheckResult:
    if not camera.brightness:
        return _result(camera, "brightness", Verdict.NA, "no frame could be sampled")
    means = np.asarray(camera.brightness)
    share = float(np.mean((means >= qc.brightness_min) & (means <= qc.brightness_max)))
    verdict = Verdict.PASS if share > qc.brightness_min_share else Verdict.WARNING
    bounds = f"{qc.brightness_min:g}-{qc.brightness_max:g}"
    text = f"{share:.0%} of {means.size} sampled frames within {bounds} (mean {means.mean():.1f})"
    return _result(camera, "brightness", verdict, text, share=share, mean=float(means.mean()), samples=int(means.size))


def lateness(camera: CameraData, qc: QcConfig) -> CheckResult:
    """Reported, not judged: how late frames reached the recorder, where the manifest carries it."""
    figures = {key: value for key, value in camera.entry.items() if "lateness" in key}
    flat: dict[str, Any] = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{inner}": item for inner, item in value.items() if isinstance(item, int | float)})
        elif isinstance(value, int | float):
            flat[key] = value
    if not flat:
        return _result(camera, "lateness", Verdict.NA, "not in the manifest")
    return _result(camera, "lateness", Verdict.PASS, ", ".join(f"{k} {v:g}" for k, v in flat.items()), **flat)


CHECKS = (frame_counts, frame_ids, host_times, rate, intervals, device_clock, drops, brightness, lateness)
