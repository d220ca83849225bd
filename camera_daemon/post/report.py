"""The stage's summary for people (Markdown), for programs (JSON), and its plots.

Numbers in the report come from the logged timestamps, not from video metadata: frames, drops (exact
where the camera counts its frames), mean rate, and how far each camera sat from the reference.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from camera_daemon.post import plot_data, plots
from camera_daemon.post.align import AlignedFrames, CameraStats, Reference, camera_stats
from camera_daemon.post.session_io import SessionTracks


def session_stats(session: SessionTracks, aligned: AlignedFrames) -> list[CameraStats]:
    return [
        camera_stats(track.name, track.camera_frame_id, track.utc_time_us, aligned)
        for track in session.cameras
        if track.name in aligned.cameras
    ]


def recorder_drops(folder: Path) -> dict[str, dict[str, int]]:
    """Drops only the recorder saw (missed triggers, incomplete buffers, a full ring): the logged
    times cannot show a frame the camera never sent, so they are taken from the manifest."""
    try:
        cameras = json.loads((folder / "manifest.json").read_text()).get("cameras", {})
    except (OSError, ValueError):
        return {}
    keys: tuple[str, ...] = ("drops_missed_trigger", "drops_incomplete", "drops_unsaved", "drops_total")
    keys += ("ring_high_water", "lateness_max_us", "schedule_lag_max_us")
    return {name: {key: int(entry.get(key) or 0) for key in keys} for name, entry in cameras.items()}


def analysis_summary(folder: Path) -> dict[str, dict[str, Any]]:
    """Each analysed camera's callback counts and frame-to-result latency, from the manifest."""
    try:
        cameras = json.loads((folder / "manifest.json").read_text()).get("cameras", {})
    except (OSError, ValueError):
        return {}
    return {name: entry["analysis"] for name, entry in cameras.items() if isinstance(entry.get("analysis"), dict)}


def _analysis_lines(analysis: dict[str, dict[str, Any]]) -> list[str]:
    if not analysis:
        return []
    lines = [
        "",
        "## Analysis",
        "",
        "| camera | callback | analysed | skipped | latency median (ms) | p99 (ms) | state |",
    ]
    lines.append("|---|---|---|---|---|---|---|")
    for name, entry in analysis.items():
        median, p99 = (entry.get(key) for key in ("latency_us_median", "latency_us_p99"))
        lines.append(
            f"| {name} | `{entry.get('callback')}` | {entry.get('frames_analysed')} | {entry.get('frames_skipped')} "
            f"| {'-' if median is None else f'{median / 1e3:.2f}'} | {'-' if p99 is None else f'{p99 / 1e3:.2f}'} "
            f"| {entry.get('state')} |"
        )
    return lines


def stats_json(stats: CameraStats, recorder: dict[str, int] | None = None) -> dict[str, Any]:
    data = asdict(stats)
    data.update(recorder or {})
    data["drop_positions"] = [int(p) for p in stats.drop_positions[:1000]]
    data["mean_rate_fps"] = round(stats.mean_rate_fps, 4)
    data["median_interval_us"] = round(stats.median_interval_us, 1)
    data["mean_abs_offset_us"] = round(stats.mean_abs_offset_us, 1)
    return data


NO_HEALTH_LOG = "no ring depth / lateness plot: the session has no per-camera health log (logs/<camera>.health.csv)"


def write_plots(
    plot_dir: Path, session: SessionTracks, aligned: AlignedFrames, reference: Reference
) -> tuple[list[Path], list[str]]:
    """The figures this session can back, and a note for each one left out and why."""
    tracks = tuple(session.camera(name) for name in aligned.cameras)
    origin = plot_data.session_origin_us(session)
    paths = [plot_dir / "intervals.png", plot_dir / "offsets.png", plot_dir / "drops.png"]
    plots.frame_intervals(paths[0], session.name, plot_data.frame_intervals(tracks, origin))
    tick_s, offsets = plot_data.offsets_ms(aligned, origin)
    plots.offsets(paths[1], session.name, reference.describe(), tick_s, offsets)
    ends = [float(t.utc_time_us[-1] - origin) / 1e6 for t in tracks if t.frame_count]
    plots.drops(paths[2], session.name, (0.0, max(ends, default=1.0)), plot_data.drop_events(session, aligned, origin))
    health, notes = plot_data.read_health(session, origin)
    if health:
        paths.append(plot_dir / "health.png")
        plots.health(paths[-1], session.name, health)
    else:
        notes.append(NO_HEALTH_LOG)
    return paths, notes


def _lateness_ms(cam: dict[str, Any]) -> float:
    """The worse of grab-to-encoder lag and lag behind the camera's schedule: either means frames
    reached the file later than they were taken, which no drop count shows."""
    return max(int(cam.get("lateness_max_us", 0)), int(cam.get("schedule_lag_max_us", 0))) / 1e3


def markdown(summary: dict[str, Any]) -> str:
    lines = [
        f"# Post-stop report: {summary['session']}",
        "",
        f"- mode: **{summary['mode']}**, reference: {summary['reference']}, "
        f"tolerance: {summary['tolerance_us'] / 1e3:.2f} ms",
        f"- aligned rows: {summary['aligned_rows']}, frames written: {summary['frames_written']}"
        f", dropped as repeats: {summary['dedupe_dropped']}",
        f"- output: `{summary['video']}`",
        "",
        "| camera | frames | drops | drops from | missed triggers | incomplete | unsaved | mean rate (fps) "
        "| missing ticks | mean abs offset (ms) | max abs offset (ms) | ring peak | max lateness (ms) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for cam in summary["cameras"]:
        lines.append(
            f"| {cam['name']} | {cam['frames']} | {cam['drops']} | {cam['drops_from']} "
            f"| {cam.get('drops_missed_trigger', 0)} | {cam.get('drops_incomplete', 0)} "
            f"| {cam.get('drops_unsaved', 0)} | {cam['mean_rate_fps']:.3f} "
            f"| {cam['missing_ticks']} | {cam['mean_abs_offset_us'] / 1e3:.2f} | {cam['max_abs_offset_us'] / 1e3:.2f} "
            f"| {cam.get('ring_high_water', 0)} | {_lateness_ms(cam):.1f} |"
        )
    lines += _analysis_lines(summary.get("analysis") or {})
    if summary["warnings"]:
        lines += ["", "## Warnings", ""] + [f"- {warning}" for warning in summary["warnings"]]
    lines += ["", "## Files", ""] + [f"- `{name}`" for name in summary["files"]]
    lines += ["", "## Plots", ""] + [f"- `plots/{name}`" for name in summary.get("plots", [])]
    lines += [f"- {note}" for note in summary.get("plot_notes", [])] + [""]
    return "\n".join(lines)


def write_report(
    post_dir: Path,
    session: SessionTracks,
    aligned: AlignedFrames,
    reference: Reference,
    tolerance_us: float,
    details: dict[str, Any],
    figures: tuple[list[Path], list[str]] | None = None,
) -> dict[str, Any]:
    """``figures``: what write_plots returned, when the caller drew them already (in parallel)."""
    stats = session_stats(session, aligned)
    recorder = recorder_drops(session.folder)
    (post_dir / "plots").mkdir(exist_ok=True)
    plot_paths, plot_notes = figures or write_plots(post_dir / "plots", session, aligned, reference)
    summary: dict[str, Any] = {
        "session": session.name,
        "reference": reference.describe(),
        "tolerance_us": tolerance_us,
        "aligned_rows": aligned.tick_count,
        "cameras": [stats_json(s, recorder.get(s.name)) for s in stats],
        "warnings": list(session.warnings),
        "plots": [path.name for path in plot_paths],
        "plot_notes": plot_notes,
        "analysis": analysis_summary(session.folder),
        **details,
    }
    (post_dir / "report.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    (post_dir / "report.md").write_text(markdown(summary), encoding="utf-8")
    return summary
