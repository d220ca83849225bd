"""Read a recorded session: per camera, its frames, their UTC span and mean interval, and its video.

python examples/read_session.py recordings/example
"""

from __future__ import annotations

import sys

import numpy as np

import camera_daemon

if __name__ == "__main__":
    session = camera_daemon.Session(sys.argv[1] if len(sys.argv) > 1 else "recordings/example")
    print(f"{session.path}: {session.exit_state}, cameras {', '.join(session.cameras)}")
    for name in session.cameras:
        times = session.timestamps(name)
        utc = times["utc_time_us"]
        interval_ms = float(np.diff(utc).mean()) / 1000 if len(utc) > 1 else float("nan")
        print(
            f"{name}: {len(times)} frames, utc {utc[0]}..{utc[-1]} us, "
            f"mean interval {interval_ms:.2f} ms, video {session.video(name)}"
        )
