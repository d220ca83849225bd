"""A recording camera's worker fills its tap for a reader in another process, and the header's
frame index is the frame's row in the video."""

from __future__ import annotations

from pathlib import Path

from processes import wait_until as _wait

from camera_daemon.cameras.framecode import read_counter
from camera_daemon.tap import TapFrame, TapReader

from recordings import camd, decoded_counters, manifest


def test_a_recording_worker_publishes_saved_frames_to_its_tap(tmp_path: Path, runtime: Path) -> None:
    camera = "a=synthetic:?width=320&height=240"
    started = camd("start", "--camera", camera, "--output", str(tmp_path), "--session", "s", "--no-preview")
    assert started.returncode == 0, started.stderr
    session = Path(started.stdout.strip())
    assert "preview" not in started.stderr  # the tap serves any reader, page or not
    pid = int((runtime / "default.pid").read_text())
    try:
        reader: TapReader = _wait(lambda: TapReader.attach(f"camd-tap-{pid}-1"))
        assert reader.shape == (240, 320)  # the camera's own width is below the default preview width
        reader.want(seconds=30, rate_hz=20)
        first: TapFrame = _wait(reader.latest)
        second: TapFrame = _wait(lambda: (f := reader.latest()) is not None and f.seq > first.seq and f)
        assert second.frame_index > first.frame_index >= 0
        assert second.host_time_us > first.host_time_us
        tapped = {f.frame_index: read_counter(f.pixels) for f in (first, second)}
        reader.close()
    finally:
        stopped = camd("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert manifest(session)["exit_state"] == "stopped"
    in_video = decoded_counters(session / "a.mkv")
    for index, counter in tapped.items():
        assert in_video[index] == counter  # the tap's frame index is the row of that very frame
    assert TapReader.attach(f"camd-tap-{pid}-1") is None  # nothing left in /dev/shm
