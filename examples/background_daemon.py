"""Record in a background daemon from Python: start, watch its status, stop, read the result."""

from __future__ import annotations

import time

import camera_daemon

if __name__ == "__main__":
    config = {
        "session": {"output": "recordings", "name": "daemon-example"},
        "cameras": [{"name": "cam", "backend": "synthetic", "fps": 30, "width": 320, "height": 240}],
    }
    folder = camera_daemon.start(config, name="example", force=True)  # returns once the camera delivers frames
    print(f"recording {folder}")
    deadline = time.monotonic() + 30
    while camera_daemon.status("example")["cameras"][0]["frames_written"] < 30:  # about a second of frames
        if time.monotonic() > deadline:
            raise SystemExit("the camera never wrote 30 frames")
        time.sleep(0.1)
    session = camera_daemon.stop("example")
    entry = session.manifest["cameras"]["cam"]
    print(f"cam: {entry['frames_in_video']} frames, {len(session.timestamps('cam'))} timestamps, {session.exit_state}")
