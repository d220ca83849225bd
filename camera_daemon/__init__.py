"""camera-daemon: record many cameras at once, lose no frame and no timestamp.

The public API, each name imported only when first used, so ``import camera_daemon`` stays cheap
(every recorder process imports this package):

- ``record(config, ...) -> Session``: record in the foreground.
- ``start(config, name=...) -> Path``, ``status(name) -> dict``, ``stop(name) -> Session``: a background daemon.
- ``Session(path)``: ``cameras``, ``timestamps(camera)`` (numpy), ``video(camera)``, ``manifest``.
- ``SessionConfig``, ``parse_config(dict)``, ``load_config(path)``: the config schema.
- ``CamdError``: every error camd raises; ``exit_code`` is what the CLI would exit with.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from camera_daemon.api import record, start, status, stop
    from camera_daemon.config import SessionConfig, load_config, parse_config
    from camera_daemon.errors import CamdError
    from camera_daemon.session.reader import Session

_LAZY = {
    "record": "camera_daemon.api",
    "start": "camera_daemon.api",
    "status": "camera_daemon.api",
    "stop": "camera_daemon.api",
    "Session": "camera_daemon.session.reader",
    "SessionConfig": "camera_daemon.config",
    "load_config": "camera_daemon.config",
    "parse_config": "camera_daemon.config",
    "CamdError": "camera_daemon.errors",
}
__all__ = [
    "CamdError",
    "Session",
    "SessionConfig",
    "__version__",
    "load_config",
    "parse_config",
    "record",
    "start",
    "status",
    "stop",
]


def _version() -> str:
    """Looked up on first use: importlib.metadata costs tens of milliseconds, and ``camd status``
    and every worker process import this package without needing it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("camera-daemon")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+source"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        found = globals()["__version__"] = _version()
        return found
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'camera_daemon' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
