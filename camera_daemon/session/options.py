"""A session's config from a config file plus command-line options.

It lives below the daemon because both the foreground recorder and `camd start` build the same
config before anything records, and the daemon's commands may not reach up for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from camera_daemon.cameras.spec import parse_camera_spec
from camera_daemon.config import SessionConfig, load_config, parse_config
from camera_daemon.errors import ConfigError


def build_config(
    config_path: Path | None,
    camera_specs: list[str],
    *,
    duration_s: float | None = None,
    output: Path | None = None,
    session: str | None = None,
    codec: str | None = None,
) -> SessionConfig:
    """Merge a config file with command-line options; a ``--camera`` replaces the file's camera of
    the same name or adds one; two ``--camera`` options with one name are refused, since keeping
    either would silently drop a camera the user asked for."""
    data: dict[str, Any] = {}
    if config_path is not None:
        data = load_config(config_path).model_dump(mode="json", exclude_unset=True)
    cameras: list[dict[str, Any]] = list(data.get("cameras", []))
    given: set[str] = set()
    for spec in camera_specs:
        fields = parse_camera_spec(spec)
        if fields["name"] in given:
            raise ConfigError(
                f"--camera '{spec}': a camera named '{fields['name']}' is already given; "
                "give each --camera a unique NAME"
            )
        given.add(fields["name"])
        cameras = [camera for camera in cameras if camera.get("name") != fields["name"]] + [fields]
    if not cameras:
        raise ConfigError("no cameras: pass a CONFIG file or at least one --camera NAME=SPEC")
    data["cameras"] = cameras
    with_session_options(data, duration_s, output, session)
    if codec is not None:
        data["encoder"] = {**data.get("encoder", {}), "codec": codec}
    # load_config already validated the file on its own, so what fails here came from the options
    return parse_config(data, origin="command-line options")


def with_session_options(
    data: dict[str, Any], duration_s: float | None, output: Path | str | None, session: str | None
) -> None:
    """The session options the command line and the Python API both take, laid over a config's
    ``[session]`` table in place: one rule for what an option overrides."""
    section = dict(data.get("session", {}))
    if duration_s is not None:
        section["duration_s"] = duration_s
    if output is not None:
        section["output"] = str(output)
    if session is not None:
        section["name"] = session
    data["session"] = section
