"""Finds a camera's callback from its config reference, before anything records.

Imported once in a short-lived child to fail with exit 2 while nothing exists yet, then again in the
analysis process, which is where it runs. The check never executes user code in the recorder: a module
that hangs or blocks signals at import would otherwise hang ``camd run`` past Ctrl-C.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from camera_daemon.config import SessionConfig
from camera_daemon.errors import ConfigError

Callback = Callable[..., Any]

IMPORT_DEADLINE_S = 20.0


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
            _check_in_child(camera.analysis, camera.name)


def _check_in_child(reference: str, camera: str) -> None:
    command = [sys.executable, "-m", "camera_daemon.analysis.loader", reference, camera]
    child = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group: whatever the module started at import goes with it
    )
    try:
        _, error = child.communicate(timeout=IMPORT_DEADLINE_S)
    except subprocess.TimeoutExpired:
        _kill_group(child)
        raise ConfigError(
            f"camera '{camera}': analysis callback {reference} did not import within {IMPORT_DEADLINE_S:g} s; "
            "move slow work at module level into the function"
        ) from None
    except BaseException:  # Ctrl-C while waiting: nothing of the check stays behind
        _kill_group(child)
        raise
    if child.returncode != 0:
        lines = error.strip().splitlines()
        raise ConfigError(lines[-1] if lines else f"camera '{camera}': analysis '{reference}' could not be imported")


def _kill_group(child: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()


def _main(argv: list[str]) -> int:
    try:
        load_callback(argv[0], argv[1])
    except ConfigError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    os._exit(_main(sys.argv[1:]))  # no interpreter teardown: a thread the module started must not hold it
