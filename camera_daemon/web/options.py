"""The preview's command-line options, shared by ``camd start``, ``camd run`` and ``camd preview``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # `camd status` mounts these options and must not load pydantic to answer
    from camera_daemon.config import SessionConfig

PreviewPortOption = Annotated[
    int | None,
    typer.Option("--preview-port", min=1, max=65535, help="First port tried for the preview page (default 8421)."),
]
NoPreviewOption = Annotated[bool, typer.Option("--no-preview", help="Serve no preview page.")]


def with_preview_options(config: SessionConfig, port: int | None, no_preview: bool) -> SessionConfig:
    """The config with the options applied over its [preview] section."""
    update: dict[str, object] = {}
    if port is not None:
        update["port"] = port
    if no_preview:
        update["enabled"] = False
    if not update:
        return config
    return config.model_copy(update={"preview": config.preview.model_copy(update=update)})
