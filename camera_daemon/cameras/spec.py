"""``--camera NAME=SPEC`` on the command line, so a user can record without writing a file.

SPEC is ``BACKEND[:SOURCE][?key=value&...]``: ``synthetic``, ``synthetic:?width=640&fps=60``,
``opencv:0``, ``opencv:clip.mp4?realtime=1``, ``opencv:rtsp://host/stream``, ``genicam:serial:SN1``;
lists of frame numbers as ``drop_frames=3,9`` or ``drop_frames=[3,9]``.
Options after the last ``?`` are taken only if every key is a camera field, so a URL keeps its own
query string.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from camera_daemon.config import Backend, CameraConfig
from camera_daemon.errors import ConfigError

_LIST_FIELDS = {"drop_frames", "repeat_frames"}


def _frame_numbers(text: str, key: str, value: str) -> list[int]:
    """``3,9`` or ``[3,9]``: commas need no quoting in a shell, brackets are what the TOML file uses."""
    inner = value.strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    items = [item.strip() for item in inner.split(",") if item.strip()]
    if not all(item.isascii() and item.isdigit() for item in items):
        raise ConfigError(
            f"--camera '{text}': option '{key}' takes frame numbers separated by commas, "
            f"e.g. {key}=3,9 (or {key}=[3,9]), not '{value}'"
        )
    return [int(item) for item in items]


def _options(text: str, query: str) -> dict[str, Any] | None:
    pairs = parse_qsl(query, keep_blank_values=True)
    if not pairs or any(key not in CameraConfig.model_fields for key, _ in pairs):
        return None
    options: dict[str, Any] = {}
    for key, value in pairs:
        options[key] = _frame_numbers(text, key, value) if key in _LIST_FIELDS else value
        if key == "stamp":  # stamp=utc,frame: words, as in the TOML list
            options[key] = [item.strip() for item in value.strip().strip("[]").split(",") if item.strip()]
    return options


def parse_camera_spec(text: str) -> dict[str, Any]:
    """Turn ``NAME=SPEC`` into the fields of a camera table; errors name the option and the fix."""
    name, separator, spec = text.partition("=")
    if not separator or not name or not spec:
        raise ConfigError(f"--camera '{text}': expected NAME=SPEC, e.g. --camera left=synthetic or cam=opencv:0")
    backend, _, rest = spec.partition(":")
    if backend not in Backend.__members__:
        choices = ", ".join(Backend.__members__)
        raise ConfigError(f"--camera '{text}': unknown backend '{backend}'; use one of {choices}")
    source, options = rest, {}
    if "?" in rest:
        head, _, query = rest.rpartition("?")
        parsed = _options(text, query)
        if parsed is not None:
            source, options = head, parsed
        elif not rest.startswith(("rtsp:", "http:", "https:", "rtmp:", "udp:", "tcp:")):
            unknown = [k for k, _ in parse_qsl(query, keep_blank_values=True) if k not in CameraConfig.model_fields]
            raise ConfigError(
                f"--camera '{text}': unknown option '{unknown[0] if unknown else query}'; "
                "options are camera fields such as width, height, fps, pixel_format"
            )
    fields: dict[str, Any] = {"name": name, "backend": backend, **options}
    if source:
        fields["source"] = source
    return fields
