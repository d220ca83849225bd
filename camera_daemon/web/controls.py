"""What a host hands the preview server: status, actions and taps, as plain callables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Controls:
    """What the host gives the server: the ``camd status --json`` payload, the control actions
    (``pause``, ``resume``, ``stop``; each returns the control socket's reply), and camera -> tap."""

    status: Callable[[], dict[str, Any]]
    act: Callable[[str], dict[str, Any]]
    taps: Callable[[], dict[str, str]]
    mode: str = "recording"  # "preview" when the cameras are only shown, never saved
