"""A session's config written back as TOML, so a session folder documents exactly what ran.

Apart from the schema (config.py): only the recorder writes configs, while every command reads one.
"""

from __future__ import annotations

from typing import Any

import tomli_w

from camera_daemon.config import SessionConfig


def config_to_toml(config: SessionConfig) -> str:
    """The exact config that ran, written back so a session folder documents itself; a password in
    a source is masked (see redact.py), a ``${VAR}`` reference is kept as written."""
    from camera_daemon.redact import redact

    data = config.model_dump(mode="json", exclude_defaults=False)
    for camera in data["cameras"]:
        camera["source"] = redact(camera["source"])
    data["preview"].pop("token", None)  # a secret: `camd start` passes it to the daemon by environment
    return _dump_toml(data)


def _without_none(value: Any) -> Any:
    """TOML has no null: an unset optional field is left out, as a user would write the file."""
    if isinstance(value, dict):
        return {key: _without_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_none(item) for item in value]
    return value


def _dump_toml(data: dict[str, Any]) -> str:
    return tomli_w.dumps(_without_none(data))
