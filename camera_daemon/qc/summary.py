"""The one QC line under a stop's summary table, kept apart from the checks so that the `camd stop`
client, which only prints the daemon's verdict, does not load the video and table readers."""

from __future__ import annotations

from typing import Any

# What a daemon's stop writes into the manifest: QC follows the stop reply (it reads every packet).
PENDING_QC: dict[str, Any] = {"verdict": "pending", "file": "post/qc.json"}


def summary_line(qc: dict[str, Any]) -> str:
    if qc.get("verdict") == "pending":  # the daemon checks the files after its stop reply
        return f"QC: running now that the files are final; its verdict goes to {qc.get('file')} and the manifest"
    if qc.get("verdict") is None:
        return f"QC: not run ({qc['error']}); run camd qc"
    named = [*qc.get("fail", []), *qc.get("warning", [])]
    return f"QC: {qc['verdict']}" + (f" ({', '.join(named)})" if named else "") + f"; see {qc.get('file')}"
