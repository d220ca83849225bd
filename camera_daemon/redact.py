"""Passwords in ``scheme://user:password@`` and in secret query parameters (``?password=``,
``&token=``...) masked out of any text before it is printed or written.

It sits at the bottom of the package, beside the errors, because everything that writes text (the
config dump, the manifest, logs, status replies) must mask with it, and none of them may depend on
the camera backends to do so. Where a secret is expanded again, see cameras/credentials.py.
"""

from __future__ import annotations

import re
from typing import Any

# The password runs to the LAST '@' before the path: OpenCV/FFmpeg split the userinfo there, so a
# password holding an '@' is still a password and must not leak its tail.
_USERINFO = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s/@:?#]*:)(?P<password>[^\s/?#]*)@")
_QUERY_SECRET = re.compile(
    r"(?P<head>[?&;](?:password|passwd|pass|pwd|secret|token|key|auth|apikey|api_key)=)(?P<password>[^\s&;#]*)",
    re.IGNORECASE,
)
REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}")
MASK = "***"


def _mask(match: re.Match[str]) -> str:
    password = match.group("password")
    if REFERENCE.fullmatch(password):  # a reference holds no secret, and documents where it comes from
        return match.group(0)
    return f"{match.group('head')}{MASK}" + ("@" if match.group(0).endswith("@") else "")


def redact(text: str) -> str:
    """``scheme://user:password@`` becomes ``scheme://user:***@`` and ``?password=x`` becomes
    ``?password=***`` wherever they appear in ``text``."""
    if "://" in text:
        text = _USERINFO.sub(_mask, text)
    return _QUERY_SECRET.sub(_mask, text) if "=" in text else text


def redact_all(value: Any) -> Any:
    """Every string inside a JSON-like value redacted: a manifest or status reply, written whole."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_all(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_all(item) for item in value]
    return value


def has_secret(source: str) -> bool:
    return redact(source) != source
