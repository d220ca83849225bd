"""One pass over a video for QC: its packet count and the grey level of keyframes spread over it.

Counting and finding keyframes share a single demux, so checking a long recording reads its packets
once; brightness then costs a few dozen seeks and decodes, not a full pass.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np


def scan_video(video: Path, samples: int) -> tuple[int, list[float]]:
    """Packets in the video stream (a truncated tail ends the count: what a player can reach) and
    the mean grey level of up to ``samples`` keyframes spread evenly over it.

    Only keyframes decode on their own after a seek; every frame is one in ffv1 and mjpeg, and x264
    places one per ``keyframe_interval_s``, so the samples still cover the whole recording.
    """
    count = 0
    keys: list[int] = []
    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            try:
                for packet in container.demux(stream):
                    if packet.size:
                        count += 1
                        if packet.is_keyframe and packet.pts is not None:
                            keys.append(int(packet.pts))
            except (av.error.FFmpegError, EOFError):
                pass  # the count so far stands; the samples come from what was read
            return count, _means(container, stream, keys, samples)
    except (av.error.FFmpegError, EOFError, IndexError, OSError):
        return count, []


def _means(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, keys: list[int], samples: int
) -> list[float]:
    if not keys or samples <= 0:
        return []
    chosen = sorted({keys[int(i)] for i in np.linspace(0, len(keys) - 1, min(samples, len(keys)))})
    means: list[float] = []
    try:
        for pts in chosen:
            container.seek(pts, stream=stream, backward=True, any_frame=False)
            for frame in container.decode(stream):
                means.append(float(frame.to_ndarray(format="gray").mean()))
                break
    except (av.error.FFmpegError, EOFError):
        pass
    return means
