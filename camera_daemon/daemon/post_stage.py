"""The post-stop stage, run by whichever process recorded: the daemon or the foreground `camd run`.

Post reads only finished files and imports nothing of the recorder, so the daemon calls down into
it here instead of reaching up to the foreground recorder for the same few lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from camera_daemon.config import SessionConfig
from camera_daemon.errors import CamdError


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


PENDING_QC: dict[str, Any] = {"verdict": "pending", "file": "post/qc.json"}


def run_qc_after_stop(session: Path, only_if_pending: bool = False) -> dict[str, Any]:
    """Quality control of the final files (post/qc.json, the report's section); the verdict goes
    into the manifest so the summary shows it. Its failure never touches the recording.

    ``only_if_pending``: run after the daemon's stop reply, when the session is no longer locked; the
    manifest gets the verdict only if it still waits for one, so a session rebuilt meanwhile
    (``camd recover --force``) keeps its own."""
    from camera_daemon.qc.output import manifest_summary
    from camera_daemon.session.manifest import read_manifest, write_manifest

    summary = manifest_summary(session)
    manifest_path = session / "manifest.json"
    try:
        manifest = read_manifest(manifest_path)
        if only_if_pending and manifest.get("qc") != PENDING_QC:
            return summary
        manifest["qc"] = summary
        write_manifest(manifest_path, manifest)
    except (OSError, ValueError) as error:  # a full disk: post/qc.json may still hold the verdict
        summary = {**summary, "error": f"manifest not updated ({error})"}
    return summary
