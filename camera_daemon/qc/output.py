"""Where a verdict goes: ``post/qc.json``, a section of ``post/report.md``, a table, and the manifest's summary."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.table import Table

from camera_daemon.config import QcConfig, load_config
from camera_daemon.errors import CamdError
from camera_daemon.qc.session import run_qc
from camera_daemon.qc.summary import PENDING_QC
from camera_daemon.qc.thresholds import THRESHOLDS
from camera_daemon.qc.verdicts import SessionQc, Verdict
from camera_daemon.safe_write import write_text_atomic
from camera_daemon.session.manifest import write_manifest

QC_FILE = "qc.json"
# Where the section goes when the post-stop stage has written no report.md: creating report.md here
# would make a later `camd stitch` refuse to run without --force.
QC_REPORT = "qc.md"
_BEGIN, _END = "<!-- camd qc -->", "<!-- /camd qc -->"
_STYLE = {Verdict.PASS: "green", Verdict.WARNING: "yellow", Verdict.FAIL: "bold red", Verdict.NA: "dim"}


def session_qc_config(session: Path) -> QcConfig:
    """The ``[qc]`` of the config that recorded the session; defaults where it has none (older or foreign folders)."""
    try:
        return load_config(session / "session.toml").qc
    except CamdError:
        return QcConfig()


def verdict_table(result: SessionQc) -> Table:
    table = Table(title=f"{result.session}  QC: {result.verdict.value}")
    for column in ("check", "camera", "verdict", "detail"):
        table.add_column(column)
    for row in result.results:
        table.add_row(row.check, row.camera, f"[{_STYLE[row.verdict]}]{row.verdict.value}[/]", row.detail)
    return table


def markdown_section(result: SessionQc, qc: QcConfig) -> str:
    lines = [_BEGIN, "## Quality control", "", f"Verdict: **{result.verdict.value}**", ""]
    lines += ["| check | camera | verdict | detail |", "|---|---|---|---|"]
    lines += [f"| {r.check} | {r.camera} | {r.verdict.value} | {r.detail} |" for r in result.results]
    lines += ["", "Thresholds (`[qc]` in the config overrides them):", "", "| field | value | rule | source |"]
    lines += ["|---|---|---|---|"]
    lines += [f"| {t.field} | {getattr(qc, t.field):g} | {t.rule} | {t.source} |" for t in THRESHOLDS]
    return "\n".join([*lines, _END, ""])


def _with_section(existing: str, section: str) -> str:
    """The QC section replaces its earlier self and leaves the post-stop stage's report around it untouched."""
    start, end = existing.find(_BEGIN), existing.find(_END)
    if start >= 0 and end > start:
        return existing[:start] + section + existing[end + len(_END) :].lstrip("\n")
    return existing.rstrip("\n") + "\n\n" + section


def write_outputs(session: Path, result: SessionQc, qc: QcConfig) -> Path:
    post = session / "post"
    post.mkdir(exist_ok=True)
    data = {**result.as_json(), "thresholds": qc.model_dump()}
    write_text_atomic(post / QC_FILE, json.dumps(data, indent=2) + "\n")
    report = post / "report.md"
    section = markdown_section(result, qc)
    if report.is_file():
        write_text_atomic(report, _with_section(report.read_text(encoding="utf-8"), section))
    write_text_atomic(post / QC_REPORT, section)
    return post / QC_FILE


def qc_session(session: Path, qc: QcConfig | None = None) -> SessionQc:
    """Run every check and write the outputs: what `camd qc`, the stop and `camd recover` share."""
    qc = qc or session_qc_config(session)
    result = run_qc(session, qc)
    write_outputs(session, result, qc)
    return result


def manifest_summary(
    session: Path, qc: QcConfig | None = None, still_ours: Callable[[], bool] | None = None
) -> dict[str, Any] | None:
    """The verdict for the manifest and the stop summary. QC never fails a stop: its own error is
    reported in place of a verdict, and `camd qc` can run it again.

    ``still_ours``: asked after the checks and before anything is written; None when it says no (the
    folder was replaced meanwhile, so this verdict belongs to nothing there)."""
    try:
        qc = qc or session_qc_config(session)
        result = run_qc(session, qc)
        if still_ours is not None and not still_ours():
            return None
        write_outputs(session, result, qc)
    except Exception as error:  # whatever went wrong, the recording is final and must stay so
        return {"verdict": None, "error": str(error) or type(error).__name__}
    return summary_of(result)


def summary_of(result: SessionQc) -> dict[str, Any]:
    return {
        "verdict": result.verdict.value,
        "fail": result.named(Verdict.FAIL),
        "warning": result.named(Verdict.WARNING),
        "file": f"post/{QC_FILE}",
    }


def fill_pending(session: Path, result: SessionQc) -> None:
    """A manifest still waiting for its verdict (the daemon that owed it was killed) gets this one."""
    path = session / "manifest.json"
    with contextlib.suppress(OSError, ValueError):
        manifest = json.loads(path.read_text())
        if manifest.get("qc") == PENDING_QC:
            manifest["qc"] = summary_of(result)
            write_manifest(path, manifest)
