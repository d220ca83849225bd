"""Exceptions a user can act on. The CLI prints their message as one line and exits non-zero."""


class CamdError(Exception):
    """Base for every error the CLI reports without a traceback."""

    exit_code = 1


class ConfigError(CamdError):
    """A session file or a command-line option is wrong; nothing was recorded."""

    exit_code = 2


class SessionExistsError(CamdError):
    """The session folder holds a recording already; only --force may replace it."""

    exit_code = 3


class CameraError(CamdError):
    """A camera could not be opened or stopped delivering frames."""


class EncoderError(CamdError):
    """ffmpeg could not start, or died while frames were still coming."""


class AnalysisError(CamdError):
    """The recording is final and complete, but a camera's analysis callback failed."""

    exit_code = 5
