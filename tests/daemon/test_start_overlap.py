"""``camd run`` starts its two slow independent start steps, the server its camera workers fork
from and the encoder probe, before it imports the recorder, so they overlap with those imports
instead of following them."""

from __future__ import annotations

import os
import shutil
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


_PROBE_WATCH = """
import importlib.machinery
import os
import sys
import time
from pathlib import Path

LOG = Path(os.environ["FFMPEG_CALLS"])


def probed():
    return "pipe:1" in (LOG.read_text() if LOG.exists() else "")


class Watch:
    def find_spec(self, name, path=None, target=None):
        if name != "camera_daemon.recording":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        load = spec.loader.exec_module

        def exec_module(module):  # the recorder is imported: has the encoder probe begun meanwhile?
            load(module)
            deadline = time.monotonic() + 20
            while not probed() and time.monotonic() < deadline:
                time.sleep(0.01)
            sys.stderr.write(f"probe began while the recorder was imported: {probed()}\\n")

        spec.loader.exec_module = exec_module
        return spec


if __name__ == "__main__":
    sys.meta_path.insert(0, Watch())
    sys.argv = ["camd", *sys.argv[1:]]
    from camera_daemon.entry import main

    main()
"""


def test_camd_run_probes_the_encoder_once_while_importing_the_recorder(tmp_path: Path) -> None:
    """The probe (one frame through the camera's exact ffmpeg command) is mostly a wait on ffmpeg:
    it runs beside the recorder's imports, and the recorder's own check reuses its answer."""
    calls = tmp_path / "ffmpeg-calls.txt"
    wrapper = tmp_path / "ffmpeg"
    real = shutil.which("ffmpeg")
    assert real is not None
    wrapper.write_text(f'#!/bin/sh\nfor last; do :; done\necho "$last" >> {calls}\nexec {real} "$@"\n')
    wrapper.chmod(0o755)
    script = tmp_path / "watch.py"
    script.write_text(_PROBE_WATCH)
    args = ["run", "--camera", "a=synthetic:?width=64&height=48&fps=0", "--duration", "0.3"]
    args += ["--output", str(tmp_path), "--session", "t", "--quiet"]
    env = {**os.environ, "CAMD_FFMPEG": str(wrapper), "FFMPEG_CALLS": str(calls)}
    result = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    reports = [line for line in result.stderr.splitlines() if line.startswith("probe began")]
    assert reports == ["probe began while the recorder was imported: True"]
    outputs = calls.read_text().splitlines()
    assert outputs.count("pipe:1") == 1, outputs  # one probe: the recorder's own check reused its answer
    assert outputs.count(str(tmp_path / "t" / "a.mkv")) == 1, outputs
