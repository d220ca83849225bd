"""camera-daemon: record many cameras at once, lose no frame and no timestamp."""


def __getattr__(name: str) -> str:
    """The version is looked up on first use: importlib.metadata costs tens of milliseconds, and
    ``camd status`` and every worker process import this package without needing it."""
    if name != "__version__":
        raise AttributeError(f"module 'camera_daemon' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("camera-daemon")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0+source"
    globals()["__version__"] = found
    return found
