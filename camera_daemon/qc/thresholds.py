"""Where each quality-control threshold comes from, so a verdict can be defended in a methods section.

The defaults live in ``QcConfig`` (config.py, the ``[qc]`` table); this table ties every field to
the check that uses it and to its published source. The README's table is this one.
"""

from __future__ import annotations

from dataclasses import dataclass

IBL = "IBL camera QC (International Brain Laboratory, ibllib.qc.camera)"
AIND = "AIND/contraqctor (Allen Institute for Neural Dynamics, contraqctor camera checks)"
CAMD = "camera-daemon (no published figure; `camd start` waits for every camera's first frame)"


@dataclass(frozen=True)
class Threshold:
    field: str
    check: str
    rule: str
    source: str


THRESHOLDS: tuple[Threshold, ...] = (
    Threshold("frame_count_warn_below", "frame_counts",
              "video frames, table rows and frames written equal: PASS; off by fewer than 5: WARNING", IBL),
    Threshold("max_gap_fraction", "frame_ids",
              "camera_frame_id advances by exactly 1 (AIND); ids missing in gaps < 0.1% of frames: WARNING, "
              "more, a repeat or a step back: FAIL", IBL),
    Threshold("rate_tolerance_hz", "rate", "mean rate within 1 Hz of nominal", IBL),
    Threshold("rate_tolerance_fraction", "rate",
              "mean rate within 1% of nominal (outside one of the two bounds: WARNING, both: FAIL)", AIND),
    Threshold("interval_tolerance_ms", "intervals", "median interval within 10 ms of 1/fps", IBL),
    Threshold("device_clock_tolerance_ms", "device_clock",
              "p99 of |d(host) - d(device)| per frame under 0.5 ms, else WARNING (host scheduling adds jitter)", AIND),
    Threshold("max_start_spread_ms", "cross_camera", "first frames of all cameras within 1 s, else WARNING", CAMD),
    Threshold("brightness_min", "brightness", "sampled frame mean >= 40", IBL),
    Threshold("brightness_max", "brightness", "sampled frame mean <= 200", IBL),
    Threshold("brightness_min_share", "brightness", "more than 75% of samples in range, else WARNING", IBL),
)  # fmt: skip
