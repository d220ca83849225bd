"""Which loader reads a folder: camd's own session or an ataraxis-video-system one.

Kept apart from both loaders so that each of them depends only on the track types, never on the
other format.
"""

from __future__ import annotations

from pathlib import Path

from camera_daemon.post.errors import PostError, PostOptionError
from camera_daemon.post.io.axvs_io import find_axvs_archives, load_axvs_folder
from camera_daemon.post.session_io import MANIFEST_NAME, SessionTracks, load_camd_session


def load_session(folder: Path) -> SessionTracks:
    """Open a camd session folder, or a folder written by ataraxis-video-system."""
    if not folder.is_dir():
        raise PostError(f"{folder}: no such session folder")
    if (folder / MANIFEST_NAME).exists():
        return load_camd_session(folder)
    if find_axvs_archives(folder):
        return load_axvs_folder(folder)
    raise PostOptionError(
        f"{folder}: not a session folder (no manifest.json, and no ataraxis-video-system *_log.npz in it "
        "or its *_data_log folder); pass the session folder itself"
    )
