"""Record two synthetic cameras for three seconds from Python and print what each camera saved."""

from __future__ import annotations

import camera_daemon

if __name__ == "__main__":  # the recorder spawns processes: keep the entry point guarded
    config = {
        "session": {"output": "recordings", "name": "example", "duration_s": 3},
        "cameras": [
            {"name": "left", "backend": "synthetic", "fps": 30},
            {"name": "right", "backend": "synthetic", "fps": 25, "pixel_format": "bgr8"},
        ],
    }
    session = camera_daemon.record(config, force=True)
    for name in session.cameras:
        entry = session.manifest["cameras"][name]
        print(f"{name}: {entry['frames_in_video']} frames, {entry['mean_fps']:.2f} fps -> {session.video(name)}")
