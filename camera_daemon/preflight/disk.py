"""Is the output folder writable, and for how many hours does its free space last at the measured rate."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from camera_daemon.config import SessionConfig
from camera_daemon.preflight.rows import Row, Verdict

_MIB = 1 << 20
_PROBE_BYTES = 64 * 1024


def existing_folder(path: Path) -> Path:
    """The output folder, or the folder it will be created in: preflight creates nothing."""
    path = path.expanduser().absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _write_problem(folder: Path) -> str:
    """A real write, not os.access: root passes access checks on a read-only mount, and an almost
    full disk accepts a new empty file but not its first blocks."""
    probe = folder / f".camd-preflight-{os.getpid()}"
    try:
        descriptor = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError as error:
        return error.strerror or str(error)
    try:
        os.write(descriptor, bytes(_PROBE_BYTES))
        os.fsync(descriptor)
    except OSError as error:
        return error.strerror or str(error)
    finally:
        os.close(descriptor)
        probe.unlink(missing_ok=True)
    return ""


def check_disk(config: SessionConfig, bytes_per_second: float) -> Row:
    folder = existing_folder(config.session.output)
    if not folder.is_dir():
        return Row("disk", Verdict.fail, f"{folder} is not a folder; check session.output / --output")
    problem = _write_problem(folder)
    if problem:
        return Row("disk", Verdict.fail, f"{folder} is not writable ({problem}); check session.output / --output")
    free = shutil.disk_usage(folder).free
    held_back = (config.disk.min_free_megabytes + config.disk.reserve_megabytes) * _MIB
    usable = free - held_back
    values: dict[str, object] = {"folder": str(folder), "free_bytes": free, "bytes_per_second": bytes_per_second}
    if usable <= 0:
        detail = (
            f"{folder}: {free / _MIB:.0f} MiB free, below the {held_back / _MIB:.0f} MiB the disk guard and reserve "
            "hold back ([disk] min_free_megabytes, reserve_megabytes); free space or choose another --output"
        )
        return Row("disk", Verdict.fail, detail, values)
    if bytes_per_second <= 0:
        return Row("disk", Verdict.ok, f"{folder}: writable, {free / _MIB:.0f} MiB free", values)
    hours = usable / bytes_per_second / 3600
    values["hours_left"] = hours
    detail = f"{folder}: {free / _MIB:.0f} MiB free, {bytes_per_second / _MIB:.2f} MiB/s expected: {hours:.1f} h left"
    duration = config.session.duration_s
    if duration > 0 and hours * 3600 < duration:
        return Row("disk", Verdict.warn, f"{detail}, less than the {duration:g} s asked", values)
    return Row("disk", Verdict.ok, detail, values)
