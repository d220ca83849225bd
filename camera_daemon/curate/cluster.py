"""``camd cluster``: group visually similar frames of a whole session by perceptual hash.

A session's repeated scenes, a camera that froze, a lights-off stretch: each shows up as a cluster
whose time ranges say when. Hashes come from the post stage's vectorised pHash; frames join the
cluster of the earliest unassigned frame within ``threshold`` bits ("leader" clustering), which
needs no cluster count up front and costs one vectorised pass over the remaining hashes per cluster.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from camera_daemon.curate.frames import Span, decode_span, index_video, plan_spans
from camera_daemon.curate.threads import MIN_POOL_FRAMES, run_jobs, worker_count
from camera_daemon.curate.timeline import iso, session_start_us
from camera_daemon.post.dedupe import hamming, pack_bits, phash_batch
from camera_daemon.post.io.decode import Frame, to_gray8
from camera_daemon.post.session_io import CameraTrack, SessionTracks

HASH_BATCH = 256
TILE = (160, 120)
REPORT_NAME = "clusters.json"
SHEET_NAME = "contact_sheet.png"


@dataclass(frozen=True)
class Hashed:
    """Every hashed frame of the session, in camera then frame order."""

    cameras: list[str]
    camera: npt.NDArray[np.int64]  # position in ``cameras``
    frame: npt.NDArray[np.int64]
    utc_us: npt.NDArray[np.int64]
    hashes: npt.NDArray[np.uint64]


def hash_span(span: Span) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64]]:
    """pHash of every wanted frame of a span (runs in a worker), batched for the vectorised DCT."""
    indices: list[int] = []
    hashes: list[npt.NDArray[np.uint64]] = []
    batch: list[npt.NDArray[np.uint8]] = []
    for index, frame in decode_span(span):
        indices.append(index)
        batch.append(to_gray8(frame))
        if len(batch) == HASH_BATCH:
            hashes.append(phash_batch(batch))
            batch = []
    hashes.append(phash_batch(batch))
    return np.asarray(indices, dtype=np.int64), np.concatenate(hashes)


def hash_session(tracks: list[CameraTrack], progress: bool) -> Hashed:
    jobs: list[tuple[int, Span]] = []
    for position, track in enumerate(tracks):
        wanted = list(range(track.frame_count))
        spans = plan_spans(track.video, track.pixel_format, index_video(track.video), wanted, 2 * worker_count(99))
        jobs.extend((position, span) for span in spans)
    spans = [span for _, span in jobs]
    results = run_jobs(hash_span, spans, "hashing", [span.cost for span in spans], progress, MIN_POOL_FRAMES)
    camera = np.concatenate([np.full(r[0].size, p, dtype=np.int64) for (p, _), r in zip(jobs, results, strict=True)])
    frame = np.concatenate([r[0] for r in results])
    utc = np.concatenate([tracks[p].utc_time_us[r[0]] for (p, _), r in zip(jobs, results, strict=True)])
    return Hashed(
        [t.name for t in tracks], camera, frame, utc.astype(np.int64), np.concatenate([r[1] for r in results])
    )


def leader_clusters(
    hashes: npt.NDArray[np.uint64], order: npt.NDArray[np.int64], threshold: int
) -> npt.NDArray[np.int64]:
    """Cluster number per frame: the earliest (in ``order``) unassigned frame leads, and takes every
    unassigned frame within ``threshold`` bits of it. Unique hashes are clustered once (a frozen camera
    gives thousands of equal hashes)."""
    unique, first_seen, inverse = np.unique(hashes[order], return_index=True, return_inverse=True)
    by_time = np.argsort(first_seen, kind="stable")
    labels = np.full(unique.size, -1, dtype=np.int64)
    remaining = by_time
    cluster = 0
    while remaining.size:
        leader = unique[remaining[0]]
        close = hamming(unique[remaining], leader) <= threshold
        labels[remaining[close]] = cluster
        remaining = remaining[~close]
        cluster += 1
    out = np.empty(hashes.size, dtype=np.int64)
    out[order] = labels[inverse]
    return out


def _runs(frames: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
    """Contiguous stretches of sorted frame indices, as (first, last)."""
    if not frames.size:
        return []
    breaks = np.flatnonzero(np.diff(frames) != 1)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [frames.size - 1]])
    return [(int(frames[a]), int(frames[b])) for a, b in zip(starts, ends, strict=True)]


def _representative(hashes: npt.NDArray[np.uint64]) -> int:
    """The member nearest the members' bitwise majority: the cluster's most typical frame."""
    bits = ((hashes[:, None] >> np.arange(63, -1, -1, dtype=np.uint64)) & np.uint64(1)).astype(np.bool_)
    majority = pack_bits((bits.mean(axis=0) > 0.5)[None, :])[0]
    return int(np.argmin(hamming(hashes, majority)))


def describe(
    tracks: list[CameraTrack], hashed: Hashed, labels: npt.NDArray[np.int64], start_us: int
) -> list[dict[str, Any]]:
    clusters: list[dict[str, Any]] = []
    for number in range(int(labels.max()) + 1 if labels.size else 0):
        members = np.flatnonzero(labels == number)
        ranges: list[dict[str, Any]] = []
        for position, name in enumerate(hashed.cameras):
            mine = members[hashed.camera[members] == position]
            utc = tracks[position].utc_time_us
            for first, last in _runs(np.sort(hashed.frame[mine])):
                ranges.append({
                    "camera": name, "first_frame": first, "last_frame": last, "frames": last - first + 1,
                    "start_s": round((int(utc[first]) - start_us) / 1e6, 6),
                    "end_s": round((int(utc[last]) - start_us) / 1e6, 6),
                    "start_utc": iso(int(utc[first])), "end_utc": iso(int(utc[last])),
                })  # fmt: skip
        chosen = members[_representative(hashed.hashes[members])]
        clusters.append({
            "cluster": number, "size": int(members.size), "ranges": sorted(ranges, key=lambda r: r["start_s"]),
            "representative": {
                "camera": hashed.cameras[int(hashed.camera[chosen])], "frame_index": int(hashed.frame[chosen]),
                "utc": iso(int(hashed.utc_us[chosen])), "phash": f"{int(hashed.hashes[chosen]):016x}",
            },
        })  # fmt: skip
    return sorted(clusters, key=lambda c: (-c["size"], c["cluster"]))


def representatives(tracks: list[CameraTrack], clusters: list[dict[str, Any]]) -> dict[tuple[str, int], Frame]:
    """The representative frames, decoded in one forward pass per camera."""
    pictures: dict[tuple[str, int], Frame] = {}
    for track in tracks:
        wanted = sorted(
            {c["representative"]["frame_index"] for c in clusters if c["representative"]["camera"] == track.name}
        )
        if wanted:
            span = plan_spans(track.video, track.pixel_format, index_video(track.video), wanted, 1)[0]
            pictures.update(((track.name, index), frame) for index, frame in decode_span(span, threads=True))
    return pictures


def contact_sheet(tracks: list[CameraTrack], clusters: list[dict[str, Any]], path: Path) -> None:
    """One labelled tile per cluster representative, biggest cluster first."""
    pictures = representatives(tracks, clusters)
    tiles: list[npt.NDArray[np.uint8]] = []
    for entry in clusters:
        rep = entry["representative"]
        frame = pictures[(rep["camera"], rep["frame_index"])]
        gray = to_gray8(frame) if frame.ndim == 2 or frame.dtype != np.uint8 else None
        picture = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR) if gray is not None else frame
        tile = cv2.resize(picture, TILE, interpolation=cv2.INTER_AREA)
        text = f"#{entry['cluster']} n={entry['size']} {rep['camera']}:{rep['frame_index']}"
        cv2.rectangle(tile, (0, TILE[1] - 16), (TILE[0], TILE[1]), (0, 0, 0), -1)
        cv2.putText(tile, text, (3, TILE[1] - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.38, (255, 255, 255), 1, cv2.LINE_AA)
        tiles.append(tile.astype(np.uint8))
    columns = max(1, math.ceil(math.sqrt(len(tiles))))
    rows = max(1, math.ceil(len(tiles) / columns))
    sheet = np.zeros((rows * TILE[1], columns * TILE[0], 3), dtype=np.uint8)
    for position, tile in enumerate(tiles):
        row, column = divmod(position, columns)
        sheet[row * TILE[1] : (row + 1) * TILE[1], column * TILE[0] : (column + 1) * TILE[0]] = tile
    cv2.imwrite(str(path), sheet)


def cluster_session(
    tracks: SessionTracks, output: Path, cameras: list[str] | None, threshold: int, progress: bool = True
) -> dict[str, Any]:
    """Hash, cluster, and write ``clusters.json``, ``clusters.csv`` and the contact sheet."""
    chosen = [tracks.camera(name) for name in cameras] if cameras else list(tracks.cameras)
    hashed = hash_session(chosen, progress)
    labels = leader_clusters(hashed.hashes, np.argsort(hashed.utc_us, kind="stable"), threshold)
    clusters = describe(chosen, hashed, labels, session_start_us(tracks))
    output.mkdir(parents=True, exist_ok=True)
    contact_sheet(chosen, clusters, output / SHEET_NAME)
    report = {
        "session": tracks.name, "threshold_bits": threshold, "frames": int(hashed.frame.size),
        "cameras": hashed.cameras, "clusters": clusters, "contact_sheet": str(output / SHEET_NAME),
    }  # fmt: skip
    (output / REPORT_NAME).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    lines = ["cluster,size,ranges,first_utc,last_utc,representative_camera,representative_frame"]
    for entry in clusters:
        rep = entry["representative"]
        first = min(r["start_utc"] for r in entry["ranges"])
        last = max(r["end_utc"] for r in entry["ranges"])
        lines.append(
            f"{entry['cluster']},{entry['size']},{len(entry['ranges'])},{first},{last},{rep['camera']},{rep['frame_index']}"
        )
    (output / "clusters.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report


def summary_lines(report: dict[str, Any]) -> list[str]:
    lines = [f"{report['frames']} frames, {len(report['clusters'])} clusters within {report['threshold_bits']} bits"]
    for entry in report["clusters"]:
        spans = ", ".join(f"{r['camera']} {r['start_s']:.3f}-{r['end_s']:.3f} s" for r in entry["ranges"][:4])
        more = f" (+{len(entry['ranges']) - 4} more)" if len(entry["ranges"]) > 4 else ""
        rep = entry["representative"]
        lines.append(
            f"#{entry['cluster']}: {entry['size']} frames; {spans}{more}; shown by {rep['camera']}:{rep['frame_index']}"
        )
    lines.append(f"contact sheet: {report['contact_sheet']}")
    return lines
