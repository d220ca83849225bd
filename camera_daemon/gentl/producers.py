"""Where the GenTL producers (.cti files) are, remembered per user so sessions need not repeat them.

A producer is a vendor's shared library; without one no GenICam camera can be seen at all. The
list is looked up in this order, first hit wins, so a script or a test can override what the user
stored without touching it: the CAMD_CTI environment variable (os.pathsep-separated), the user's
config file written by ``camd cti set``, then the GenTL standard GENICAM_GENTL64_PATH folders.
"""

from __future__ import annotations

import ctypes
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import tomli_w

from camera_daemon.errors import ConfigError

ENV_VAR = "CAMD_CTI"
GENTL_ENV_VAR = "GENICAM_GENTL64_PATH"
_APP_NAME = "camera-daemon"
_FILE_NAME = "producers.toml"


@dataclass(frozen=True, slots=True)
class ProducerList:
    """The producers in use and where that list came from, so `camd cti show` can explain it."""

    paths: tuple[Path, ...]
    origin: str


def store_path() -> Path:
    return platformdirs.user_config_path(_APP_NAME) / _FILE_NAME


def _split(value: str) -> tuple[Path, ...]:
    return tuple(Path(part).expanduser() for part in value.split(os.pathsep) if part.strip())


def read_store() -> tuple[Path, ...]:
    path = store_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ()
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the producer list ({error}); run `camd cti set PATH`") from None
    entries = data.get("cti", [])
    if not isinstance(entries, list) or not all(isinstance(entry, str) for entry in entries):
        raise ConfigError(f"{path}: 'cti' must be a list of paths; run `camd cti set PATH` to rewrite it")
    return tuple(Path(entry) for entry in entries)


def _require_gentl_entry(path: Path) -> None:
    """A stored path that is not a producer would only fail later, at recording time and far from
    the command that stored it; loading it once and finding GenTL's entry point is the same test a
    consumer makes."""
    try:
        library = ctypes.CDLL(str(path.expanduser().resolve()))
    except OSError as error:
        reason = str(error).splitlines()[0] if str(error) else "cannot be loaded"
        raise ConfigError(f"{path}: not a loadable GenTL producer ({reason}); give the path of a .cti file") from None
    if not hasattr(library, "GCInitLib"):
        raise ConfigError(f"{path}: not a GenTL producer (it exports no GCInitLib); give the path of a .cti file")


def write_store(paths: list[Path]) -> Path:
    """Stores absolute paths, so the list means the same from any working directory; nothing is
    stored unless every path is a producer."""
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise ConfigError(f"no such producer file: {', '.join(missing)}; give the path of a .cti file")
    for path in paths:
        _require_gentl_entry(path)
    unique = list(dict.fromkeys(path.expanduser().resolve() for path in paths))
    target = store_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    body = tomli_w.dumps({"cti": [str(path) for path in unique]})
    temporary = target.with_suffix(".tmp")
    temporary.write_text(body, encoding="utf-8")
    temporary.replace(target)
    return target


def _gentl_folder_producers(value: str) -> tuple[Path, ...]:
    found: list[Path] = []
    for folder in _split(value):
        if folder.is_dir():
            found.extend(sorted(folder.glob("*.cti")))
    return tuple(found)


def configured_producers() -> ProducerList:
    override = os.environ.get(ENV_VAR, "")
    if override.strip():
        return ProducerList(_split(override), f"environment variable {ENV_VAR}")
    stored = read_store()
    if stored:
        return ProducerList(stored, str(store_path()))
    standard = _gentl_folder_producers(os.environ.get(GENTL_ENV_VAR, ""))
    if standard:
        return ProducerList(standard, f"environment variable {GENTL_ENV_VAR}")
    return ProducerList((), "nothing configured")


def require_producers() -> tuple[Path, ...]:
    """The producer files to load; an error that says how to configure them when there are none."""
    producers = configured_producers()
    if not producers.paths:
        raise ConfigError(f"no GenTL producer configured; run `camd cti set /path/to/producer.cti` or set {ENV_VAR}")
    missing = [str(path) for path in producers.paths if not path.is_file()]
    if len(missing) == len(producers.paths):
        raise ConfigError(
            f"no configured GenTL producer exists ({', '.join(missing)}, from {producers.origin}); "
            "run `camd cti set PATH` with the vendor's .cti file"
        )
    return tuple(path for path in producers.paths if path.is_file())


def require_loadable(listed: ProducerList) -> tuple[Path, ...]:
    """Every configured producer, each one checked: a producer that is missing or does not load
    would otherwise just contribute no device, and "0 devices" reads as "no camera plugged in"
    when the real fault is the path."""
    for path in listed.paths:
        if not path.is_file():
            raise ConfigError(
                f"GenTL producer {path} does not exist (from {listed.origin}); "
                "fix the path with `camd cti set PATH` or CAMD_CTI"
            )
        _require_gentl_entry(path)
    return listed.paths


def load_problem(path: Path) -> str:
    """Why a producer would not load, in one line; empty when it loads."""
    if not path.is_file():
        return f"{path}: no such file"
    try:
        _require_gentl_entry(path)
    except ConfigError as error:
        return str(error)
    return ""
