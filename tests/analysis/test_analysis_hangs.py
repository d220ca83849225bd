"""A callback that never returns, or forks, or outlives its recorder, leaves nothing running behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import tomli_w
from processes import running, wait_until

from recordings import CAMD, manifest

HANGING = """
import os, time

def hang(frame, frame_index, camera_frame_id, host_time_us, marker):
    if os.fork() == 0:
        time.sleep(1e9)
    with open(marker, "w") as out:
        out.write(str(os.getpid()))
    time.sleep(1e9)
"""


def _camera(env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run([*CAMD, "status", "--json"], capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 0, result.stderr
    camera: dict[str, Any] = json.loads(result.stdout)["cameras"][0]
    return camera


def _gone(pid: int) -> bool:
    try:
        return not running(psutil.Process(pid))
    except psutil.NoSuchProcess:
        return True


def _start(tmp_path: Path, camera: dict[str, Any]) -> dict[str, str]:
    config = tmp_path / "c.toml"
    config.write_text(tomli_w.dumps({"session": {"output": str(tmp_path), "name": "s"}, "cameras": [camera]}))
    env = dict(os.environ)
    started = subprocess.run([*CAMD, "start", str(config)], capture_output=True, text=True, timeout=60, env=env)
    assert started.returncode == 0, started.stderr
    return env


def test_hung_forking_callback_shows_stalled_then_fails(tmp_path: Path, runtime: Path) -> None:
    callback = tmp_path / "hanging_cb.py"
    callback.write_text(HANGING)
    marker = tmp_path / "forked"
    camera = {"name": "cam", "width": 160, "height": 120, "fps": 30, "analysis": f"{callback}:hang"}
    camera["analysis_args"] = {"marker": str(marker)}
    env = _start(tmp_path, camera)
    wait_until(lambda: _camera(env)["analysis"] == "stalled", timeout_s=30, what="status to show the stall")
    analysis_pid = int(marker.read_text())
    forked = [child.pid for child in psutil.Process(analysis_pid).children()]
    assert len(forked) == 1
    stopped = subprocess.run([*CAMD, "stop"], capture_output=True, text=True, timeout=120, env=env)
    assert stopped.returncode == 5, stopped.stderr
    assert "callback did not return within 5 s" in stopped.stderr
    entry = manifest(tmp_path / "s")["cameras"]["cam"]["analysis"]
    assert entry["state"] == "failed" and entry["error"].startswith("callback did not return within 5 s")
    wait_until(lambda: _gone(forked[0]) and _gone(analysis_pid), timeout_s=10, what="the forked child to end")


def test_analysis_ends_when_its_recorder_is_killed(tmp_path: Path, runtime: Path) -> None:
    camera = {"name": "cam", "width": 160, "height": 120, "fps": 30}
    camera["analysis"] = "camera_daemon.analysis.builtin:brightness"
    env = _start(tmp_path, camera)
    live = wait_until(lambda: (c := _camera(env))["analysis_frames"] >= 10 and c, what="analysed frames")
    recorder = next(int(path.read_text()) for path in runtime.glob("*.pid"))
    os.kill(recorder, signal.SIGKILL)
    wait_until(lambda: _gone(live["analysis_pid"]), timeout_s=15, what="the analysis process to end")


def test_recover_reaps_and_cuts_analysis_to_the_video(tmp_path: Path, runtime: Path) -> None:
    camera = {"name": "cam", "width": 160, "height": 120, "fps": 30}
    camera["analysis"] = "camera_daemon.analysis.builtin:brightness"
    env = _start(tmp_path, camera)
    live = wait_until(lambda: (c := _camera(env))["analysis_frames"] >= 30 and c, what="analysed frames")
    os.kill(next(int(path.read_text()) for path in runtime.glob("*.pid")), signal.SIGKILL)
    wait_until(lambda: _gone(live["analysis_pid"]), timeout_s=15, what="the analysis process to end")
    session, logs = tmp_path / "s", tmp_path / "s" / "logs"
    table = pq.read_table(session / "cam.analysis.parquet")
    ghosts = {name: [table.column(name)[0].as_py()] * 9 for name in table.column_names}
    ghosts["frame_index"] = list(range(10**6, 10**6 + 9))  # results for frames no video holds
    pq.write_table(pa.concat_tables([table, pa.table(ghosts, schema=table.schema)]), session / "cam.analysis.parquet")
    straggler = subprocess.Popen(["sleep", "600"], start_new_session=True)  # stands in for one that would not end
    start_tick = Path(f"/proc/{straggler.pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    (logs / "cam.analysis.pid").write_text(f"{straggler.pid} {start_tick}\n")

    recovered = subprocess.run([*CAMD, "recover", str(session)], capture_output=True, text=True, timeout=120, env=env)
    assert recovered.returncode in (0, 1) and "Traceback" not in recovered.stderr, recovered.stderr  # 1: a cut camera
    assert straggler.wait(timeout=10) == -signal.SIGKILL
    entry = manifest(session)["cameras"]["cam"]
    rows = pq.read_table(session / "cam.analysis.parquet").column("frame_index").to_pylist()
    before = table.column("frame_index").to_pylist()
    assert rows and rows == [index for index in before if index < entry["frames_in_video"]]
    analysis = entry["analysis"]
    assert analysis["callback"] == camera["analysis"] and analysis["frames_analysed"] == len(rows)
    assert analysis["frames_skipped"] == entry["frames_in_video"] - len(rows)
    assert analysis["latency_us_median"] is not None and analysis["latency_us_p99"] >= analysis["latency_us_median"]
    assert not (logs / "cam.analysis.pid").exists()
