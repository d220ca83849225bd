"""``camd run`` boots the server its camera workers fork from before it imports the recorder, so
the server's own imports overlap with the recorder's instead of following them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from recordings import manifest, table

_WATCH = """
import sys
import multiprocessing.forkserver as forkserver



class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "camera_daemon.recording":
            running = forkserver._forkserver._forkserver_pid is not None
            sys.stderr.write(f"server running at recorder import: {running}\\n")
        return None


if __name__ == "__main__":
    sys.meta_path.insert(0, Watch())
    sys.argv = ["camd", *sys.argv[1:]]
    from camera_daemon.entry import main

    main()
"""


def test_camd_run_boots_the_worker_server_before_importing_the_recorder(tmp_path: Path) -> None:
    script = tmp_path / "watch.py"
    script.write_text(_WATCH)
    args = ["run", "--camera", "a=synthetic:?width=64&height=48&fps=0", "--duration", "0.3"]
    args += ["--output", str(tmp_path), "--session", "t", "--quiet"]
    result = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    reports = [line for line in result.stderr.splitlines() if line.startswith("server running")]
    assert reports == ["server running at recorder import: True"]
    session = tmp_path / "t"
    frames = manifest(session)["cameras"]["a"]["frames_in_video"]
    assert frames > 0 and len(table(session, "a")["frame_index"]) == frames
