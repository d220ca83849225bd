"""Read a folder recorded by ataraxis-video-system 5.x into the same tracks a camd session gives.

That recorder writes one ``{id:03d}.mp4`` per camera and logs through a DataLogger, assembled into
``{id}_log.npz``: the entry at acquisition time 0 carries the onset (8-byte UTC µs), and every saved
frame is one entry with an empty payload whose time is µs since that onset, in video order. It keeps
no device counter, so drops are judged from intervals. Names come from ``camera_manifest.yaml``
when the folder has one.
"""

from __future__ import annotations

import re
from pathlib import Path

import av
import numpy as np

from camera_daemon.post.errors import PostError
from camera_daemon.post.session_io import CameraTrack, SessionTracks

_ARCHIVE = re.compile(r"^(\d+)_log\.npz$")


def session_places(folder: Path) -> list[Path]:
    """Where such a session keeps its files: the folder itself and the DataLogger's own
    ``*_data_log`` folder in it. Nothing deeper is searched, so a folder that merely holds sessions
    (or anything else with archives somewhere below) is not taken for one."""
    places = [folder]
    if folder.is_dir():
        places.extend(path for path in sorted(folder.glob("*_data_log")) if path.is_dir() and not path.is_symlink())
    return places


def _first(folder: Path, name: str) -> Path | None:
    for place in session_places(folder):
        if (place / name).is_file():
            return place / name
    return None


def find_axvs_archives(folder: Path) -> dict[int, Path]:
    """Source id -> log archive, in the folder or its logger's folder."""
    found: dict[int, Path] = {}
    for place in session_places(folder):
        for path in sorted(place.glob("*_log.npz")):
            match = _ARCHIVE.match(path.name)
            if match:
                found.setdefault(int(match.group(1)), path)
    return found


def read_frame_times(archive: Path) -> tuple[int, np.ndarray]:  # type: ignore[type-arg]
    """Onset UTC µs and the per-frame UTC µs of one archive, in the order the frames were written."""
    from ataraxis_data_structures import LogArchiveReader

    try:
        reader = LogArchiveReader(archive_path=archive)
    except (ValueError, OSError) as error:
        raise PostError(f"{archive}: not a readable log archive ({error})") from None
    onset = int(reader.onset_timestamp_us)
    times = np.fromiter(
        (int(message.timestamp_us) for message in reader.iter_messages() if message.payload.size == 0),
        dtype=np.int64,
    )
    return onset, times


def _names(folder: Path) -> dict[int, str]:
    manifest = _first(folder, "camera_manifest.yaml")
    if manifest is None:
        return {}
    import yaml

    data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    sources = data.get("sources", []) if isinstance(data, dict) else []
    return {int(item["id"]): str(item["name"]) for item in sources if isinstance(item, dict) and "id" in item}


def _video_for(folder: Path, source_id: int) -> Path:
    for name in (f"{source_id:03d}.mp4", f"{source_id}.mp4", f"{source_id:03d}.mkv"):
        hit = _first(folder, name)
        if hit is not None:
            return hit
    raise PostError(f"{folder}: log archive for camera {source_id} has no video {source_id:03d}.mp4 beside it")


def probe_video(path: Path) -> tuple[int, int, str, float]:
    """Width, height, pixel format and nominal rate; colour is judged from the first frame's chroma
    because this recorder stores monochrome cameras in colour containers too."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            rate = float(stream.average_rate or 0.0)
            for frame in container.decode(stream):
                pixels = frame.to_ndarray(format="bgr24").astype(np.int16)
                spread = int(
                    np.abs(pixels[..., 0] - pixels[..., 2]).max() + np.abs(pixels[..., 1] - pixels[..., 2]).max()
                )
                return frame.width, frame.height, "mono8" if spread <= 6 else "bgr8", rate
    except av.error.FFmpegError as error:
        raise PostError(f"{path}: cannot decode ({error})") from None
    raise PostError(f"{path}: holds no frames")


def load_axvs_folder(folder: Path) -> SessionTracks:
    archives = find_axvs_archives(folder)
    names = _names(folder)
    tracks = []
    warnings = []
    for source_id, archive in archives.items():
        onset, utc = read_frame_times(archive)
        video = _video_for(folder, source_id)
        width, height, pixel_format, rate = probe_video(video)
        name = names.get(source_id, f"{source_id:03d}")
        if utc.size and np.any(np.diff(utc) <= 0):
            warnings.append(f"{name}: frame times are not strictly increasing")
        tracks.append(
            CameraTrack(
                name=name,
                video=video,
                width=width,
                height=height,
                pixel_format=pixel_format,
                nominal_fps=rate,
                onset_utc_us=onset,
                camera_frame_id=np.full(utc.size, -1, dtype=np.int64),
                host_time_us=utc - onset,
                device_time_ns=np.full(utc.size, -1, dtype=np.int64),
            )
        )
    if not tracks:
        raise PostError(f"{folder}: no ataraxis-video-system log archives found")
    return SessionTracks(name=folder.name, folder=folder, cameras=tuple(tracks), warnings=tuple(warnings))
