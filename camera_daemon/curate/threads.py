"""The process pool curate decodes with: one worker per core, each pinned to one thread.

Decoding and hashing are CPU-bound and release the GIL only in parts, so processes scale where
threads do not. ``forkserver`` keeps workers independent of whatever threads the parent runs (rich's
progress refresh, PyAV's decoder threads), which a plain fork would copy mid-flight.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from camera_daemon.threads import pin_environment, pin_threads


def worker_count(jobs: int) -> int:
    return max(1, min(jobs, os.cpu_count() or 1))


MIN_POOL_FRAMES = 1500
"""Below this many frames to decode, one process is faster: starting workers costs about as much as
decoding 1,500 frames of 640x480 here (0.5-2 s, most of it imports)."""
PRELOAD = ["camera_daemon.curate.extract", "camera_daemon.curate.cluster"]


def pinned_pool(workers: int) -> ProcessPoolExecutor:
    """A pool whose workers start with the limits in their environment (before numpy loads BLAS)
    and pin OpenCV once cv2 is imported. The fork server imports the decoding code once; each
    worker is then forked from it instead of importing PyAV, OpenCV and numpy itself."""
    pin_environment()
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=pin_threads)


def run_jobs[T, R](
    function: Callable[[T], R],
    jobs: list[T],
    what: str,
    weights: list[int] | None = None,
    progress: bool = True,
    min_work: int = 0,
) -> list[R]:
    """Results in job order; the bar advances by each job's weight (frames) as jobs finish. A single
    job, or less than ``min_work`` in all, runs in this process: a pool would cost more than it saves."""
    sizes = weights if weights is not None else [1] * len(jobs)
    with progress_bar(progress, what, sum(sizes)) as bar:
        if len(jobs) <= 1 or sum(sizes) < min_work:
            results = []
            for job, size in zip(jobs, sizes, strict=True):
                results.append(function(job))
                bar.advance(size)
            return results
        with pinned_pool(worker_count(len(jobs))) as pool:
            futures: dict[Future[R], int] = {pool.submit(function, job): position for position, job in enumerate(jobs)}
            done: dict[int, R] = {}
            for future in as_completed(futures):
                position = futures[future]
                done[position] = future.result()
                bar.advance(sizes[position])
        return [done[position] for position in range(len(jobs))]


class Bar:
    def __init__(self, progress: Progress | None, total: int, what: str) -> None:
        self._progress = progress
        self._task = progress.add_task(what, total=total) if progress is not None else None

    def advance(self, amount: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, amount)

    def __enter__(self) -> Bar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def progress_bar(enabled: bool, what: str, total: int) -> Bar:
    """A rich bar on stderr (stdout stays parseable for --json); none when asked to be quiet."""
    if not enabled:
        return Bar(None, total, what)
    from rich.console import Console

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    return Bar(progress, total, what)
