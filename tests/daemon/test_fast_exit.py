"""A finished ``camd run`` exits without the interpreter's teardown (0.3-0.8 s of freeing memory
after the session is final), yet prints, flushes and returns exactly what it would have, and its
exit handlers still run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from recordings import manifest

_WATCH = """
import atexit
import sys


class Teardown:
    def __del__(self):
        sys.__stderr__.write("teardown ran\\n")


keep = Teardown()  # freed only when the interpreter tears its modules down

if __name__ == "__main__":
    atexit.register(lambda: sys.__stderr__.write("exit handlers ran\\n"))
    sys.argv = ["camd", *sys.argv[1:]]
    from camera_daemon.entry import main

    main()
"""


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "watch.py"
    script.write_text(_WATCH)
    command = [sys.executable, str(script), "run", "--output", str(tmp_path), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_a_finished_run_skips_teardown_but_keeps_output_exit_code_and_exit_handlers(tmp_path: Path) -> None:
    camera = "a=synthetic:?width=64&height=48&fps=0"
    result = _run(tmp_path, "--camera", camera, "--duration", "0.3", "--session", "t", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)  # the whole JSON report reached the pipe before the exit
    frames = manifest(tmp_path / "t")["cameras"]["a"]["frames_in_video"]
    assert frames > 0 and report["cameras"]["a"]["frames_in_video"] == frames
    assert "exit handlers ran" in result.stderr.splitlines()
    assert "teardown ran" not in result.stderr.splitlines()


def test_a_usage_error_exits_the_ordinary_way(tmp_path: Path) -> None:
    result = _run(tmp_path, "--camera", "a=synthetic:?width=64&height=48", "--duration", "-1")
    assert result.returncode == 2
    assert "teardown ran" in result.stderr.splitlines()
    assert result.stderr.splitlines()[0].startswith("camd: error: ")
