"""The frame tap: a per-camera shared-memory slot holding the latest downscaled frame (slot.py)."""

from camera_daemon.tap.slot import TapFrame, TapReader, TapSpec, TapWriter, open_tap, unlink_tap

__all__ = ["TapFrame", "TapReader", "TapSpec", "TapWriter", "open_tap", "unlink_tap"]
