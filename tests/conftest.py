import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private runtime folder per test, so daemons of parallel tests never meet; a daemon a
    failed test left running is killed, never left recording."""
    folder = tmp_path / "runtime"
    monkeypatch.setenv("CAMD_RUNTIME_DIR", str(folder))
    yield folder
    for pid_file in folder.glob("*.pid") if folder.is_dir() else []:
        with contextlib.suppress(ProcessLookupError, ValueError, OSError):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
