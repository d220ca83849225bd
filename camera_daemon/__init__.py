"""camera-daemon: record many cameras at once, lose no frame and no timestamp."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("camera-daemon")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
