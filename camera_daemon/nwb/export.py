"""One NWB file per session, written with pynwb: an external-file ImageSeries per camera.

The videos are not copied in: each ImageSeries names its files relative to the .nwb, so the folder
can move as a whole, and carries the logged times (seconds from the earliest onset), never a
nominal rate. pynwb is an optional extra; it is imported only here, when an export runs.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from camera_daemon.config import NwbConfig, load_config
from camera_daemon.errors import CamdError, ConfigError, SessionExistsError
from camera_daemon.qc.session import read_session_manifest
from camera_daemon.safe_write import open_new_exclusive
from camera_daemon.timing.table import read_csv

INSTALL_HINT = "NWB export needs the nwb extra; install it with: pip install 'camera-daemon[nwb]'"


def _pynwb() -> Any:
    try:
        import pynwb
    except ImportError:
        raise CamdError(INSTALL_HINT) from None
    return pynwb


def utc_from_us(us: int) -> datetime:
    """Exact to the microsecond, which a float timestamp is not."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


def _segments(entry: dict[str, Any]) -> list[tuple[str, int]]:
    """(file, frames) per video file of a camera: one, or several where the recording was split."""
    listed = entry.get("segments")
    if isinstance(listed, list) and listed:
        return [(str(part["video"]), int(part["frames"])) for part in listed]
    return [(str(entry["video"]), int(entry.get("frames_in_video") or 0))]


def _serial(entry: dict[str, Any]) -> str | None:
    source = str(entry.get("source") or "")
    genicam = entry.get("backend") == "genicam" and source.startswith("serial:")
    return source.removeprefix("serial:") if genicam else None


def _metadata(manifest: dict[str, Any], given: NwbConfig, configured: NwbConfig) -> dict[str, Any]:
    names = ", ".join(manifest["cameras"])
    started = manifest.get("started_utc_us") or 0
    key = f"camera-daemon:{manifest.get('host')}:{manifest.get('session')}:{started}"
    return {
        "session_description": given.session_description
        or configured.session_description
        or f"camera-daemon session {manifest.get('session')}: video of {names}",
        "identifier": given.identifier or configured.identifier or str(uuid.uuid5(uuid.NAMESPACE_URL, key)),
        "experimenter": given.experimenter or configured.experimenter or None,
        "institution": given.institution or configured.institution or None,
        "lab": given.lab or configured.lab or None,
        "session_id": str(manifest.get("session")),
    }


def _subject(given: NwbConfig, configured: NwbConfig) -> Any:
    """The subject as configured, or None: a recorder cannot know the animal, and inventing one is worse
    than the inspector's complaint that it is missing."""
    from pynwb.file import Subject

    source = given if given.subject_id or given.species else configured
    if not (source.subject_id or source.species):
        return None
    return Subject(
        subject_id=source.subject_id or "unknown",
        species=source.species or None,
        sex=source.sex,
        age=source.age or None,
    )


def _configured(session: Path) -> NwbConfig:
    try:
        return load_config(session / "session.toml").nwb
    except CamdError:
        return NwbConfig()


def build_nwbfile(session: Path, output: Path, given: NwbConfig) -> Any:
    pynwb = _pynwb()
    from pynwb.image import ImageSeries

    manifest = read_session_manifest(session)
    cameras = {name: entry for name, entry in manifest["cameras"].items() if entry.get("onset_utc_us") is not None}
    if not cameras:
        raise CamdError(f"{session}: no camera recorded a frame; nothing to export")
    start_us = min(int(entry["onset_utc_us"]) for entry in cameras.values())
    configured = _configured(session)
    nwbfile = pynwb.NWBFile(
        session_start_time=utc_from_us(start_us),
        source_script="camera-daemon",
        source_script_file_name="camd",
        subject=_subject(given, configured),
        **{key: value for key, value in _metadata(manifest, given, configured).items() if value is not None},
    )
    for name, entry in cameras.items():
        table_path = session / str(entry.get("timestamps") or f"{name}.timestamps.csv")
        try:
            table = read_csv(table_path)
        except OSError as error:
            raise CamdError(f"{table_path}: {error.strerror}; run camd timestamps {session} to rebuild it") from None
        description = (
            f"{entry.get('backend')} camera, {entry.get('width')}x{entry.get('height')}, "
            f"pixel format {entry.get('pixel_format')}, nominal {entry.get('nominal_fps') or 'free-running'} fps"
        )
        device = nwbfile.create_device(name=name, description=description, serial_number=_serial(entry))
        files, starts, first = [], [], 0
        for video, frames in _segments(entry):
            files.append(os.path.relpath(session / video, output.parent))
            starts.append(first)
            first += frames
        times = (table["utc_time_us"] - start_us).astype(np.float64) / 1e6
        if first != times.size:  # frame i of the videos must be row i of the table, or the times lie
            raise CamdError(
                f"{name}: its videos hold {first} frames but its table {times.size} rows; run camd qc {session}"
            )
        series = ImageSeries(
            name=name,
            description=f"{description}; times are the logged acquisition times, frame i is table row i",
            format="external",
            external_file=files,
            starting_frame=starts,
            timestamps=times,
            unit="n.a.",
            dimension=[int(entry.get("width") or 0), int(entry.get("height") or 0)],
            device=device,
        )
        nwbfile.add_acquisition(series)
    return nwbfile


def export_nwb(
    session: Path, output: Path | None = None, *, force: bool = False, given: NwbConfig | None = None
) -> Path:
    pynwb = _pynwb()
    session = session.resolve()
    read_session_manifest(session)  # a clear error for a folder that is no session, before any output
    output = (output or session / f"{session.name}.nwb").absolute()
    if output.is_dir():
        raise ConfigError(f"--output {output} is a folder; name the .nwb file to write")
    if output.exists() and not force:
        raise SessionExistsError(f"{output} exists; pass --force to replace it")
    if not output.parent.is_dir():
        raise CamdError(f"{output.parent}: no such folder; create it or pick another --output")
    nwbfile = build_nwbfile(session, output, given or NwbConfig())
    handle, tmp = open_new_exclusive(output.parent, f".{output.stem}.", ".nwb")
    handle.close()
    try:
        with pynwb.NWBHDF5IO(str(tmp), "w") as io:
            io.write(nwbfile)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    return output


def no_subject(path: Path) -> bool:
    pynwb = _pynwb()
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        return io.read().subject is None
