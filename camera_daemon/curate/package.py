"""``camd package``: sessions into a BagIt bundle (the Library of Congress layout) and its check.

A bag is self-describing: ``data/`` holds the payload, ``manifest-sha256.txt`` a checksum per file,
``bag-info.txt`` who and what. Any BagIt tool (``bagit.py --validate``, a repository's ingest) can
check it without camd. A session is packaged only when it is final: never while it records (the
session lock), and not when it never finished or its QC verdict is FAIL unless ``--force``.

QC: ``<session>/post/qc.json`` is read when present; its top-level ``"verdict"`` key set to
``"FAIL"`` refuses the session. A session without it is packaged (no QC was run).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bagit

from camera_daemon import __version__
from camera_daemon.curate.outputs import check_output, inside, require_session
from camera_daemon.curate.timeline import iso
from camera_daemon.errors import CamdError, ConfigError, SessionExistsError
from camera_daemon.session.lock import held_for_reading

EXTRAS = ("post", "nwb", "logs")
QC_FILE = Path("post") / "qc.json"
SKIPPED_SUFFIXES = (".partial",)
logging.getLogger("bagit").addHandler(logging.NullHandler())
logging.getLogger("bagit").propagate = False  # bagit logs each file; the CLI says what matters in one line


class PackageRefusedError(CamdError):
    """The session is not fit to hand over as it is (exit 3, like any session camd will not touch)."""

    exit_code = 3


class BundleChangedError(CamdError):
    """A file of the bundle no longer matches its checksum (exit 1: the data, not the command, is wrong)."""


def parse_include(text: str) -> frozenset[str]:
    parts = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(parts - set(EXTRAS))
    if unknown:
        raise ConfigError(f"--include {','.join(unknown)}: unknown; choose from {', '.join(EXTRAS)}")
    return parts


def _manifest(session: Path) -> dict[str, Any]:
    try:
        data = json.loads((session / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{session}: no manifest.json; is this a camd session folder?") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"{session}/manifest.json: not valid JSON ({error}); run camd recover first") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{session}/manifest.json: not a manifest; run camd recover first")
    return data


def qc_verdict(session: Path) -> str:
    path = session / QC_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "none"
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PackageRefusedError(f"{path}: not valid JSON ({error}); rerun QC, or pass --force") from None
    verdict = data.get("verdict") if isinstance(data, dict) else None
    return str(verdict) if verdict is not None else "none"


def check_session(session: Path, manifest: dict[str, Any], force: bool) -> None:
    state = manifest.get("exit_state")
    if state == "recording" and not force:
        raise PackageRefusedError(
            f"{session}: never finished recording (exit_state recording); run camd recover first, or pass --force"
        )
    if qc_verdict(session).upper() == "FAIL" and not force:
        raise PackageRefusedError(f"{session}: QC verdict is FAIL ({session / QC_FILE}); fix it, or pass --force")


def _safe(session: Path, name: Path, what: str) -> Path:
    """A payload path must stay in the session: no absolute path, no ``..``, no link leading out;
    otherwise a crafted manifest or a stray link would copy (or overwrite) files elsewhere."""
    if name.is_absolute() or ".." in name.parts:
        raise ConfigError(f"{session}/manifest.json: {what} '{name}' leaves the session folder; fix the manifest")
    if not inside(session / name, session):
        raise ConfigError(f"{session / name}: a link to {(session / name).resolve()}, outside the session; remove it")
    return name


def payload(session: Path, manifest: dict[str, Any], include: frozenset[str], force: bool = False) -> list[Path]:
    """Files to bundle, relative to the session: always the manifest, config, videos and tables."""
    names = {Path("manifest.json"), Path("session.toml")}
    for name, entry in (manifest.get("cameras") or {}).items():
        for key, default in (("video", f"{name}.mkv"), ("timestamps", f"{name}.timestamps.csv")):
            path = _safe(session, Path(str(entry.get(key, default))), f"camera '{name}' {key}")
            if not (session / path).is_file() and not force:
                raise ConfigError(f"{session / path}: camera '{name}' {key} is missing; restore it, or pass --force")
            names.add(path)
    folders = [extra for extra in ("post", "logs") if extra in include]
    for folder in folders:
        names.update(p.relative_to(session) for p in (session / folder).rglob("*") if p.is_file() or p.is_symlink())
    if "nwb" in include:
        names.update(p.relative_to(session) for p in session.rglob("*.nwb") if p.is_file() or p.is_symlink())
    for name in names:
        _safe(session, name, "file")
    return sorted(name for name in names if (session / name).is_file() and not name.name.endswith(SKIPPED_SUFFIXES))


def _bag_info(sessions: list[tuple[Path, dict[str, Any]]]) -> dict[str, Any]:
    info: dict[str, Any] = {
        "External-Description": "camera-daemon recording session(s): videos, per-frame timestamp tables, "
        "manifest, post-stop outputs",
        "Bag-Software-Agent": f"camera-daemon {__version__} (bagit {bagit.VERSION})",
    }
    fields: dict[str, list[str]] = {"Camd-Session": [], "Camd-Start-UTC": [], "Camd-Cameras": [], "Camd-Exit-State": []}
    fields["Camd-QC-Verdict"] = []
    for session, manifest in sessions:
        cameras = manifest.get("cameras") or {}
        onsets = [entry["onset_utc_us"] for entry in cameras.values() if isinstance(entry.get("onset_utc_us"), int)]
        fields["Camd-Session"].append(session.name)
        fields["Camd-Start-UTC"].append(f"{session.name}: {iso(min(onsets)) if onsets else 'unknown'}")
        fields["Camd-Cameras"].append(f"{session.name}: {', '.join(cameras)}")
        fields["Camd-Exit-State"].append(f"{session.name}: {manifest.get('exit_state', 'unknown')}")
        fields["Camd-QC-Verdict"].append(f"{session.name}: {qc_verdict(session)}")
    info.update({key: values[0] if len(values) == 1 else values for key, values in fields.items()})
    return info


def _check_output(sessions: list[Path], output: Path, zip_it: bool, force: bool) -> None:
    """Never inside a session; an earlier bundle (folder or .zip) is replaced only with --force, and a
    folder that is not a bundle never."""
    for session in sessions:
        check_output("--output", output, session, None)
    archive = output.with_name(output.name + ".zip")
    if zip_it and archive.exists() and not force:
        raise SessionExistsError(f"{archive} exists; pass --force to replace it, or choose another --output")
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        if not (output / "bagit.txt").is_file():
            raise SessionExistsError(f"--output {output} exists and is not a bundle; choose a new folder")
        if not force:
            raise SessionExistsError(f"--output {output} holds a bundle; pass --force to replace it")


def make_bundle(
    sessions: list[Path], output: Path, include: frozenset[str], zip_it: bool, force: bool
) -> tuple[Path, int]:
    """Copy each session's payload under ``<output>/<session name>/``, then bag the folder in place."""
    for session in sessions:
        require_session(session)
    _check_output(sessions, output, zip_it, force)
    names = [session.resolve().name for session in sessions]
    if len(set(names)) != len(names):
        raise ConfigError(f"two sessions share a folder name ({', '.join(names)}); a bundle keeps them by name")
    with contextlib.ExitStack() as locks:
        checked: list[tuple[Path, dict[str, Any], list[Path]]] = []
        for session in sessions:
            locks.enter_context(held_for_reading(session))  # refuses a session being recorded
            manifest = _manifest(session)
            check_session(session, manifest, force)
            root = session.resolve()
            checked.append((root, manifest, payload(root, manifest, include, force)))
        if output.exists():
            shutil.rmtree(output) if output.is_dir() else output.unlink()  # a bundle, and --force (checked above)
        output.mkdir(parents=True)
        count = 0
        for session, _, files in checked:
            for name in files:
                target = output / session.name / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(session / name, target)
                count += 1
        bagit.make_bag(str(output), bag_info=_bag_info([(s, m) for s, m, _ in checked]), checksums=["sha256"])
    if zip_it:
        archive = shutil.make_archive(str(output), "zip", root_dir=output.parent, base_dir=output.name)
        return Path(archive), count
    return output, count


@contextlib.contextmanager
def _opened(bundle: Path) -> Iterator[Path]:
    """The bag folder: the bundle itself, or a zip unpacked into a temporary folder."""
    if bundle.is_dir():
        yield bundle
        return
    if bundle.suffix != ".zip" or not bundle.is_file():
        raise ConfigError(f"{bundle}: not a bundle folder or .zip; give what camd package --output wrote")
    with tempfile.TemporaryDirectory(prefix="camd-verify-") as scratch:
        shutil.unpack_archive(bundle, scratch)
        inner = [path for path in Path(scratch).iterdir() if path.is_dir()]
        yield inner[0] if len(inner) == 1 else Path(scratch)


def verify_bundle(bundle: Path) -> tuple[str, int]:
    """Check every checksum; BundleChangedError names each file that changed, went missing or appeared."""
    with _opened(bundle) as folder:
        try:
            bag = bagit.Bag(str(folder))
            problems = _compare(folder, bag)
            files = sum(1 for _ in bag.payload_files())
            if not problems:
                bag.validate()
        except bagit.BagValidationError as error:
            problems = [_problem(detail) for detail in error.details] or [str(error.message)]
        except bagit.BagError as error:
            raise ConfigError(f"{bundle}: not a valid bag ({error})") from None
    if problems:
        raise BundleChangedError(f"bundle {bundle}: {len(problems)} file(s) changed: {'; '.join(problems)}")
    return f"bundle {bundle}: {files} payload files match manifest-sha256.txt", files


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _compare(folder: Path, bag: Any) -> list[str]:
    """Every payload difference at once (bagit stops at the first kind, often just Payload-Oxum)."""
    expected = {path: sums["sha256"] for path, sums in bag.entries.items() if path.startswith("data/")}
    present = {Path(path).as_posix() for path in bag.payload_files()}
    both = sorted(set(expected) & present)
    changed = [f"{path} (sha256 differs)" for path in both if _sha256(folder / path) != expected[path]]
    missing = [f"{path} (missing)" for path in sorted(set(expected) - present)]
    unexpected = [f"{path} (not in the manifest)" for path in sorted(present - set(expected))]
    return changed + missing + unexpected


def _problem(detail: Any) -> str:
    if isinstance(detail, bagit.ChecksumMismatch):
        return f"{detail.path} ({detail.algorithm} differs)"
    if isinstance(detail, bagit.FileMissing):
        return f"{detail.path} (missing)"
    if isinstance(detail, bagit.UnexpectedFile):
        return f"{detail.path} (not in the manifest)"
    return str(detail)
