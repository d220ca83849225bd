"""Finds a camera's callback from its config reference, before anything records.

Loaded once in the recorder to fail with exit 2 while nothing exists yet, then again in the analysis
process, which is where it runs: a module imported in the recorder must not hold state the analysis
process depends on.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from camera_daemon.config import SessionConfig
from camera_daemon.errors import ConfigError

Callback = Callable[..., Any]


def load_callback(reference: str, camera: str = "") -> Callback:
    """The function ``reference`` names; ConfigError in one line naming the camera and the fix."""
    where = f"camera '{camera}': analysis" if camera else "analysis"
    target, _, name = reference.rpartition(":")
    try:
        module = (
            _load_file(Path(target)) if target.endswith(".py") or "/" in target else importlib.import_module(target)
        )
    except ConfigError:
        raise
    except BaseException as error:  # user code at import time may raise anything, SystemExit included
        first = (str(error) or type(error).__name__).splitlines()[0]
        raise ConfigError(
            f"{where} '{reference}': importing {target} failed ({type(error).__name__}: {first}); "
            "install it, or name a file as 'path/to/file.py:function'"
        ) from None
    function: Callback | None = getattr(module, name, None)
    if not callable(function):
        raise ConfigError(f"{where} '{reference}': {target} has no function '{name}'; check the name after the colon")
    return function


def _load_file(path: Path) -> Any:
    if not path.is_file():
        raise ConfigError(f"analysis file {path} does not exist; give the path of a .py file")
    module_name = f"camd_analysis_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"analysis file {path} cannot be loaded as Python; give the path of a .py file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def check_callbacks(config: SessionConfig) -> None:
    """Every named callback imports: a typo is exit 2 before the session folder exists."""
    for camera in config.cameras:
        if camera.analysis:
            load_callback(camera.analysis, camera.name)
