"""A disk that fills at the edges of a recording (while cameras start, before the remux) and frames
that never reached the video: each ends in final files, one line, and a loss that is counted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from pathlib import Path

from disks import small_disk
from processes import wait_until

from camera_daemon.daemon.status import CameraStatus
from camera_daemon.recording import StopRequest, record

from recordings import CAMD, camd, decoded_counters, manifest, session_config, table

_FAST_NOISE = """[disk]
min_free_megabytes = {min_free}
reserve_megabytes = {reserve}
[encoder]
codec = "ffv1"
[[cameras]]
name = "a"
scene = "white"
[[cameras]]
name = "b"
fps = 60
pixel_format = "bgr8"
scene = "white"
"""


def _fill(disk: Path, leave_megabytes: int) -> None:
    """Leaves about ``leave_megabytes`` free by writing one file over the rest."""
    stats = os.statvfs(disk)
    size = stats.f_bavail * stats.f_frsize - (leave_megabytes << 20)
    with (disk / "filler").open("wb") as handle:
        handle.truncate(0)
        os.posix_fallocate(handle.fileno(), 0, size)


def _one_error_line(stderr: str, prefix: str) -> str:
    assert "Traceback" not in stderr and "terminate called" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(prefix), stderr
    return lines[0]


def _loss_adds_up(entry: dict[str, object]) -> None:
    """Every grabbed frame is in the video, a buffer drop, or unsaved; each loss is in drops_total."""
    acquired, in_video = int(entry["frames_acquired"]), int(entry["frames_in_video"])  # type: ignore[call-overload]
    buffer, unsaved = int(entry["drops_buffer"]), int(entry["drops_unsaved"])  # type: ignore[call-overload]
    assert in_video + buffer + unsaved == acquired, entry
    assert int(entry["drops_total"]) >= buffer + unsaved  # type: ignore[call-overload]


def test_disk_that_fills_while_cameras_start_ends_final_in_one_line(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(_FAST_NOISE.format(min_free=0, reserve=2))
    with small_disk(tmp_path / "disk", 12) as disk:
        result = camd("run", str(config), "--output", str(disk), "--session", "s", "--quiet", "--duration", "30")
        assert result.returncode == 1, result.stderr
        _one_error_line(result.stderr, "camd: error: disk full: ")
        session = disk / "s"
        data = manifest(session)
        assert data["exit_state"] == "failed" and data["error"].startswith("disk full: ")
        assert set(data["cameras"]) == {"a", "b"}
        for name, entry in data["cameras"].items():
            assert (session / f"{name}.timestamps.csv").exists()
            assert len(decoded_counters(session / f"{name}.mkv")) >= entry["frames_in_video"]
            assert table(session, name)["frame_index"].size == entry["frames_in_video"]
            _loss_adds_up(entry)
        assert sum(entry["frames_in_video"] for entry in data["cameras"].values()) > 0
        assert not list((session / "logs").glob("disk*reserve"))
        again = camd("recover", str(session), "--force")
        assert "Traceback" not in again.stderr and len(again.stderr.strip().splitlines()) <= 1, again.stderr


def test_a_reserve_that_does_not_fit_refuses_to_start_in_one_line(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(_FAST_NOISE.format(min_free=0, reserve=4))
    with small_disk(tmp_path / "disk", 12) as disk:
        _fill(disk, 3)
        result = camd("run", str(config), "--output", str(disk), "--session", "s", "--quiet", "--duration", "5")
        assert result.returncode == 1, result.stderr
        line = _one_error_line(result.stderr, "camd: error: disk full: ")
        assert "needs 5 MiB free" in line and "[disk] reserve_megabytes" in line


def test_frames_the_disk_guard_cut_off_are_counted_as_drops(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(_FAST_NOISE.format(min_free=8, reserve=1))
    with small_disk(tmp_path / "disk", 24) as disk:
        result = camd("run", str(config), "--output", str(disk), "--session", "s", "--quiet", "--duration", "30")
        assert result.returncode == 1, result.stderr
        data = manifest(disk / "s")
        for entry in data["cameras"].values():
            _loss_adds_up(entry)
        assert any(entry["drops_unsaved"] > 0 for entry in data["cameras"].values()), data["cameras"]


def test_frames_a_killed_encoder_never_saved_are_counted_as_drops(tmp_path):
    config = session_config(tmp_path, [{"name": "victim", "fps": 60, "width": 320, "height": 240}])
    stop = StopRequest()
    killed = threading.Event()

    def tick(statuses: list[CameraStatus]) -> None:
        victim = statuses[0]
        if not killed.is_set() and victim.frames_written >= 60:
            os.kill(victim.encoder_pid, signal.SIGKILL)
            killed.set()

    _, result = record(config, on_tick=tick, on_failure=lambda *_: None, stop=stop)
    assert killed.is_set()
    entry = result["cameras"]["victim"]
    assert entry["exit_state"] == "failed"
    _loss_adds_up(entry)
    assert entry["drops_unsaved"] > 0  # the encoder's open cluster and lookahead are lost with it
    assert entry["drops_unsaved"] >= entry["timestamps_logged"] - entry["frames_in_video"]


def test_a_stop_without_room_for_a_second_copy_still_gives_the_logged_times(tmp_path):
    config = tmp_path / "c.toml"
    lines = ["[disk]", "min_free_megabytes = 0", "reserve_megabytes = 1", "[encoder]", 'codec = "ffv1"']
    camera = ["[[cameras]]", 'name = "cam0"', 'scene = "white"', "width = 640", "height = 480"]
    config.write_text("\n".join([*lines, *camera]) + "\n")
    with small_disk(tmp_path / "disk", 32) as disk:
        _fill(disk, 12)  # the video (about 9 MiB: 1 s from the first frame) fits, a second copy does not
        result = camd("run", str(config), "--output", str(disk), "--session", "s", "--quiet", "--duration", "1")
        assert result.returncode == 0, result.stderr
        stats = os.statvfs(disk)
        assert stats.f_bavail * stats.f_frsize < (disk / "s" / "cam0.mkv").stat().st_size
        assert result.stderr == ""  # the times travelled with the frames: nothing to warn about
        data = manifest(disk / "s")
        entry = data["cameras"]["cam0"]
        assert entry["frame_times"] == "recorded" and entry["remuxed"] is False and "warnings" not in data
        counters = decoded_counters(disk / "s" / "cam0.mkv")
        assert counters == table(disk / "s", "cam0")["camera_frame_id"].tolist()
        assert len(counters) == entry["frames_in_video"] > 10
        (disk / "filler").unlink()
        recovered = camd("recover", str(disk / "s"), "--force")
        assert recovered.returncode == 0, recovered.stderr
        assert manifest(disk / "s")["cameras"]["cam0"]["remuxed"] is True


def test_recover_gives_back_the_reserve_of_a_killed_recorder(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[disk]\nreserve_megabytes = 8\n[[cameras]]\nname = "cam0"\n')
    process = subprocess.Popen(
        [*CAMD, "run", str(config), "--output", str(tmp_path), "--session", "s", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    session = tmp_path / "s"
    wait_until(lambda: list((session / "logs").glob("*.timestamps.journal")) and (session / "cam0.mkv").exists())
    wait_until(lambda: (session / "cam0.mkv").stat().st_size > 20_000)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert (session / "logs" / "disk.reserve").exists()
    # exit 3 while a worker still holds the session; then 0, or 1 when the recorder's last batch was cut
    result = wait_until(
        lambda: (done := camd("recover", str(session))).returncode != 3 and done, what="recover once the workers let go"
    )
    data = json.loads((session / "manifest.json").read_text())
    assert data["exit_state"] == "recovered"
    cut = "were cut" in (data["cameras"]["cam0"].get("error") or "")
    assert result.returncode == (1 if cut else 0), result.stderr
    assert not list((session / "logs").glob("disk*reserve"))
