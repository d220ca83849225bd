"""The value lists that help text shows, kept free of pydantic so ``camd --help`` and ``camd status``
load nothing heavy. tests/cli/test_help_text.py checks them against the config schema and post."""

from __future__ import annotations

RECORDING_CODECS = ("h264", "hevc", "av1", "ffv1", "mjpeg")
# Stitched outputs are written in-process by PyAV, one frame at a time with its aligned time: h264 to
# watch, ffv1 to keep every bit for analysis. The other recording codecs add nothing a viewer or an
# analysis of a stitched file needs, so post offers these two.
STITCH_CODECS = ("h264", "ffv1")
CODEC_HELP = f"Video codec: {' | '.join(RECORDING_CODECS)}."
STITCH_CODEC_HELP = (
    f"Output codec: {' | '.join(STITCH_CODECS)} (h264 to watch, ffv1 lossless); the recording's own "
    f"codec does not carry over, so {', '.join(c for c in RECORDING_CODECS if c not in STITCH_CODECS)} are not offered."
)
TABLE_FORMATS = ("csv", "npz", "parquet", "axvs")
