"""Frame brightness sampled from keyframes, so a one-hour video costs a few dozen decodes, not a full pass."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np


def keyframe_means(video: Path, count: int) -> list[float]:
    """Mean grey level of up to ``count`` keyframes spread evenly over the video; empty when it cannot be read.

    Only keyframes decode on their own after a seek; every frame is one in ffv1 and mjpeg, and x264
    places one per ``keyframe_interval_s``, so the samples still cover the whole recording.
    """
    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            keys = [int(p.pts) for p in container.demux(stream) if p.size and p.is_keyframe and p.pts is not None]
            if not keys:
                return []
            chosen = sorted({keys[int(i)] for i in np.linspace(0, len(keys) - 1, min(count, len(keys)))})
            means: list[float] = []
            for pts in chosen:
                container.seek(pts, stream=stream, backward=True, any_frame=False)
                for frame in container.decode(stream):
                    means.append(float(frame.to_ndarray(format="gray").mean()))
                    break
            return means
    except (av.error.FFmpegError, EOFError, IndexError, OSError):
        return []
