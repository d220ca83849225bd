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


# Every exit code camd uses. An error class carries its code; the CLI and the README show this table,
# and a test checks that each class's code is listed here.
EXIT_CODES: dict[int, str] = {
    0: "success: everything asked for was done",
    1: "a camera, the encoder, the logger or the disk failed (files recorded so far are final)",
    2: "bad config, option or input: nothing was recorded or changed",
    3: "the session (or post output) exists or is in use: pass --force, or wait for its recorder",
    4: "camd stitch could not process a session (missing or damaged file, undecodable video)",
    5: "the recording is final and complete, but a camera's analysis callback failed",
    130: "interrupted by Ctrl-C before the command finished",
}
