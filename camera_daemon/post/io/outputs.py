"""Overwrite protection for ``<session>/post``: nothing existing is replaced without --force.

Each step owns a set of name patterns. Without --force, a run refuses to start if any file it would
write exists; with --force, every file matching the patterns of the steps about to run is removed
first, so no stale output (say, an old debug video) survives next to the new ones. Files are written
under a temporary name and renamed when complete, so an interrupted run leaves no half file behind
under a final name. A link among the outputs is removed itself, never followed: what it points to
is not this session's to delete.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from camera_daemon.post.errors import PostError, PostOutputExistsError

PARTIAL_SUFFIX = ".partial"

STEP_PATTERNS: dict[str, tuple[str, ...]] = {
    "align": ("aligned.csv", "aligned.parquet"),
    "mosaic": ("mosaic.*",),
    "best": ("best.*",),
    "concat": ("concat.*",),
    "dedupe": ("dedupe.*",),
    "report": ("report.md", "report.json", "plots"),
}


def existing_outputs(post_dir: Path, steps: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for step in steps:
        for pattern in STEP_PATTERNS[step]:
            found.extend(sorted(post_dir.glob(pattern)))
    found.extend(sorted(post_dir.glob(f"*{PARTIAL_SUFFIX}")))
    return list(dict.fromkeys(found))  # 'mosaic.mkv.partial' matches both 'mosaic.*' and '*.partial'


def _remove(path: Path) -> None:
    """One output gone, whatever it is; a link is unlinked, so nothing is deleted through it."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    except OSError as error:
        raise PostError(f"{path}: cannot remove the earlier output ({error.strerror}); remove it by hand") from None


def prepare_post_dir(post_dir: Path, steps: Iterable[str], force: bool) -> None:
    """Refuse (no --force) or clear (--force) earlier outputs of ``steps``; then make sure the folder exists."""
    steps = list(steps)
    stale = existing_outputs(post_dir, steps) if post_dir.exists() else []
    if stale and not force:
        names = ", ".join(path.name for path in stale[:3]) + (" ..." if len(stale) > 3 else "")
        raise PostOutputExistsError(
            f"{post_dir}: outputs of an earlier run exist ({names}); pass --force to replace them"
        )
    for path in stale:
        _remove(path)
    try:
        post_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PostError(f"{post_dir}: cannot create the output folder ({error.strerror})") from None


def partial(path: Path) -> Path:
    return path.with_name(path.name + PARTIAL_SUFFIX)


def commit(path: Path) -> Path:
    """Give a completed output its final name."""
    os.replace(partial(path), path)
    return path
