"""A camera's settings saved to a file and put back, checked against the camera they came from.

Files name the camera's model and serial because settings for one model are usually nonsense for
another (other ranges, other features), and loading them onto a different unit of the same model
is a choice the user should make knowingly (``--force``).

Features are written in the file's order, in repeated passes: GenICam features depend on each
other (a Width limit on the offset, a value on its selector), so one that fails may succeed once
another has been written. Only what still fails after no pass makes progress is reported.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from camera_daemon.errors import CameraError, ConfigError
from camera_daemon.gentl import nodes
from camera_daemon.gentl.devices import DeviceEntry

_SUFFIXES = (".json", ".toml")


@dataclass(frozen=True, slots=True)
class LoadReport:
    written: tuple[str, ...]
    skipped: tuple[str, ...]  # differ from the file but the camera does not let them be written


def _check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise ConfigError(f"{path}: settings files end in .json or .toml")
    return suffix


def render(entry: DeviceEntry, features: dict[str, nodes.Value], suffix: str) -> str:
    camera = {"vendor": entry.vendor, "model": entry.model, "serial": entry.serial}
    if suffix == ".json":
        return json.dumps({"camera": camera, "features": features}, indent=2) + "\n"
    return tomli_w.dumps({"camera": camera, "features": features})


def dump(node_map: Any, entry: DeviceEntry, path: Path) -> int:
    """Writes every readable feature; returns how many."""
    suffix = _check_suffix(path)
    features = nodes.readable_features(node_map)
    try:
        path.write_text(render(entry, features, suffix), encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot write it ({error.strerror})") from None
    return len(features)


def parse(path: Path) -> tuple[dict[str, str], dict[str, Any]]:
    suffix = _check_suffix(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error.strerror})") from None
    try:
        data = json.loads(text) if suffix == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: not valid {suffix[1:].upper()} ({error})") from None
    camera, features = data.get("camera"), data.get("features")
    if not isinstance(camera, dict) or not isinstance(features, dict):
        raise ConfigError(f"{path}: needs a 'camera' and a 'features' table, as `camd genicam dump` writes")
    return {str(key): str(value) for key, value in camera.items()}, features


def check_camera(path: Path, camera: dict[str, str], entry: DeviceEntry) -> None:
    for key, actual in (("model", entry.model), ("serial", entry.serial)):
        saved = camera.get(key, "")
        if saved != actual:
            raise CameraError(
                f"{path} was saved from {key} '{saved}' but this camera's {key} is '{actual}'; "
                "pass --force to load it anyway"
            )


def apply(node_map: Any, features: dict[str, Any]) -> LoadReport:
    """Writes the features in passes until nothing more changes; read-only ones are only compared."""
    missing = [name for name in features if nodes.find(node_map, name) is None]
    if missing:
        raise CameraError(f"the camera has no feature {', '.join(missing)}; was the file saved from another model?")
    pending = list(features)
    written: list[str] = []
    failures: dict[str, str] = {}
    while pending:
        failures = {}
        still_pending: list[str] = []
        for name in pending:
            node = nodes.require(node_map, name)
            if nodes.is_readable(node) and nodes.read(node) == features[name]:
                continue
            if not nodes.is_writable(node):
                still_pending.append(name)
                continue
            try:
                nodes.write(node, features[name])
            except CameraError as error:
                failures[name] = str(error)
                still_pending.append(name)
                continue
            written.append(name)
        if len(still_pending) == len(pending):
            break
        pending = still_pending
    if failures:
        first = next(iter(failures.values()))
        raise CameraError(f"{len(failures)} feature(s) could not be set ({', '.join(failures)}); first: {first}")
    return LoadReport(written=tuple(written), skipped=tuple(name for name in pending if name not in failures))
