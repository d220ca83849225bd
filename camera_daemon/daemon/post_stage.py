"""The post-stop stage, run by whichever process recorded: the daemon or the foreground `camd run`.

Post reads only finished files and imports nothing of the recorder, so the daemon calls down into
it here instead of reaching up to the foreground recorder for the same few lines.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from camera_daemon.config import SessionConfig
from camera_daemon.errors import CamdError
from camera_daemon.qc.summary import PENDING_QC


def run_post_after_stop(session: Path, config: SessionConfig) -> dict[str, Any]:
    """The post-stop stage as the session's [post] asks. Its failure is reported in the manifest
    and never touches the recording: `camd stitch` can rerun it."""
    from camera_daemon.post.workflow import run_post_stage  # plotting libraries load only when post runs

    try:
        result = run_post_stage(session, config.post, force=True)
    except CamdError as error:
        return {"error": str(error)}
    return {
        "video": str(result.video),
        "frames_written": result.frames_written,
        "aligned_rows": result.aligned_rows,
        "dedupe_dropped": result.dedupe_dropped,
        "report": str(result.post_dir / "report.md"),
    }


def run_qc_after_stop(session: Path, only_if_pending: bool = False) -> dict[str, Any]:
    """Quality control of the final files (post/qc.json, the report's section); the verdict goes
    into the manifest so the summary shows it. Its failure never touches the recording.

    ``only_if_pending``: run after the daemon's stop reply, when the session is no longer locked.
    Nothing is written unless the manifest still waits for this very session's verdict: a folder
    replaced (``--force``) or rebuilt (``camd recover --force``) meanwhile keeps its own files."""
    from camera_daemon.qc.output import manifest_summary
    from camera_daemon.session.manifest import read_manifest, write_manifest

    manifest_path = session / "manifest.json"
    started: object = None

    def waiting() -> dict[str, Any] | None:
        """The manifest, if it still waits for the verdict of the session that was stopped."""
        try:
            manifest = read_manifest(manifest_path)
        except (OSError, ValueError):
            return None
        pending = manifest.get("qc") == PENDING_QC and manifest.get("started_utc_us") == started
        return manifest if pending else None

    if only_if_pending:
        with contextlib.suppress(OSError, ValueError):
            started = read_manifest(manifest_path).get("started_utc_us")
        if waiting() is None:
            return {"verdict": None, "error": "the manifest no longer waits for this verdict; run camd qc"}
    summary = manifest_summary(session, still_ours=(lambda: waiting() is not None) if only_if_pending else None)
    if summary is None:
        return {"verdict": None, "error": "the session folder changed during QC; run camd qc"}
    try:
        manifest = waiting() if only_if_pending else read_manifest(manifest_path)
        if manifest is None:
            return summary
        manifest["qc"] = summary
        write_manifest(manifest_path, manifest)
    except (OSError, ValueError) as error:  # a full disk: post/qc.json may still hold the verdict
        summary = {**summary, "error": f"manifest not updated ({error})"}
    return summary
