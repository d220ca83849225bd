"""Passwords in ``scheme://user:password@`` masked out of any text before it is printed or written.

It sits at the bottom of the package, beside the errors, because everything that writes text (the
config dump, the manifest, logs, status replies) must mask with it, and none of them may depend on
the camera backends to do so. Where a secret is expanded again, see cameras/credentials.py.
"""

from __future__ import annotations

import re
from typing import Any

_USERINFO = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^\s/@:]*:)(?P<password>[^\s/@]*)@")
REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}")
MASK = "***"


def _mask(match: re.Match[str]) -> str:
    password = match.group("password")
    if REFERENCE.fullmatch(password):  # a reference holds no secret, and documents where it comes from
        return match.group(0)
    return f"{match.group('head')}{MASK}@"


def redact(text: str) -> str:
    """``scheme://user:password@`` becomes ``scheme://user:***@`` wherever it appears in ``text``."""
    return _USERINFO.sub(_mask, text) if "://" in text else text


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
