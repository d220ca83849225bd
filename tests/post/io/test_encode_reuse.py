"""The gray x264 writer refills the frames the encoder is done with instead of allocating new ones:
fresh frame planes are pages the kernel faults in and zeroes, which cost more than the copy itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from camera_daemon.post.io.decode import FrameReader

WIDTH, HEIGHT, COUNT, WARM = 1280, 480, 300, 50

# A fresh interpreter, as `camd stitch` is: how the allocator hands out large blocks depends on the
# process's history, and this is the history that matters.
WRITE = f"""
import resource, sys
from pathlib import Path
import numpy as np
from camera_daemon.post.io.encode import VideoWriter
frames = [np.full(({HEIGHT}, {WIDTH}), 16 + (i * 7) % 200, np.uint8) for i in range({COUNT})]
with VideoWriter(Path(sys.argv[1]), {WIDTH}, {HEIGHT}, colour=False) as writer:
    for i in range({COUNT}):
        if i == {WARM}:  # the encoder's own buffers and the spare frames exist by now
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        writer.write(frames[i], 1 + i * 33_333, studio=True)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
print(faults / ({COUNT} - {WARM}))
"""


def test_gray_writer_reuses_frames_and_keeps_each_frames_pixels(tmp_path: Path) -> None:
    path = tmp_path / "out.mkv"
    done = subprocess.run([sys.executable, "-c", WRITE, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # a fresh 1280x480 yuv420p frame faults in about 30 pages; a refilled one none
    assert float(done.stdout) < 5
    with FrameReader(path, "mono8", studio=True) as reader:
        decoded = [int(np.median(reader.at(index))) for index in range(COUNT)]
    assert decoded == [16 + (index * 7) % 200 for index in range(COUNT)]  # no frame shows another's pixels
