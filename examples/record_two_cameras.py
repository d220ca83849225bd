"""Record two synthetic cameras for three seconds from Python and print what each camera saved."""

from __future__ import annotations

from camera_daemon.config import parse_config
from camera_daemon.recording import record

if __name__ == "__main__":  # the recorder spawns processes: keep the entry point guarded
    config = parse_config(
        {
            "session": {"output": "recordings", "name": "example", "duration_s": 3},
            "cameras": [
                {"name": "left", "backend": "synthetic", "fps": 30},
                {"name": "right", "backend": "synthetic", "fps": 25, "pixel_format": "bgr8"},
            ],
        }
    )
    session, manifest = record(config, force=True)
    for name, entry in manifest["cameras"].items():
        print(f"{name}: {entry['frames_in_video']} frames, {entry['mean_fps']:.2f} fps -> {session / entry['video']}")
