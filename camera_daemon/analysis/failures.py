"""Turning a manifest's failed analyses into the exit a script sees, without loading the analysis
machinery: `camd stop` and `camd run` only read what the recorder already wrote."""

from __future__ import annotations

from typing import Any

from camera_daemon.errors import AnalysisError


def raise_if_analysis_failed(manifest: dict[str, Any], session: object) -> None:
    """The recording is complete, yet a script relying on the results must not take them for whole: exit 5."""
    failed = manifest.get("failed_analysis") or []
    if failed:
        reasons = "; ".join(f"camera '{name}': {manifest['cameras'][name]['analysis'].get('error')}" for name in failed)
        logs = ", ".join(f"{session}/logs/{name}.analysis.log" for name in failed)
        raise AnalysisError(f"analysis failed ({reasons}); the recording is complete, see {logs}")
