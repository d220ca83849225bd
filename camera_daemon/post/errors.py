"""Errors of the post-stop stage, each with the one thing a user can do about it."""

from __future__ import annotations

from camera_daemon.errors import CamdError


class PostError(CamdError):
    """A session cannot be aligned or stitched as asked (missing file, bad option, broken video)."""

    exit_code = 4


class PostOutputExistsError(PostError):
    """An earlier run left outputs of this step; only --force may replace them."""

    exit_code = 3


class PostOptionError(PostError):
    """An option or [post] field has a value that cannot work; the message names the field and the fix."""

    exit_code = 2
