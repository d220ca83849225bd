"""Every batch worker runs with one OpenMP/BLAS/OpenCV thread: curate's process pool and the post
stage's Dask workers, each asked from inside the worker itself."""

from __future__ import annotations

import os

import pytest

from camera_daemon.curate.threads import run_jobs
from camera_daemon.post.cli import start_client
from camera_daemon.threads import THREAD_VARIABLES, thread_report


@pytest.fixture
def unpinned(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limits start unset, as in a user's shell, so only camd's pinning can set them."""
    for variable in THREAD_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


def pinned(report: dict[str, str | int]) -> bool:
    return report["cv2"] == 1 and all(report[variable] == "1" for variable in THREAD_VARIABLES)


@pytest.mark.usefixtures("unpinned")
def test_curate_pool_workers_are_pinned() -> None:
    reports = run_jobs(thread_report, [0, 1, 2, 3], "probe", progress=False)
    assert all(report["pid"] != os.getpid() for report in reports)
    assert all(pinned(report) for report in reports), reports


@pytest.mark.usefixtures("unpinned")
def test_post_dask_workers_are_pinned() -> None:
    cluster, client = start_client(None, 2)
    try:
        reports = list(client.run(thread_report).values())
    finally:
        client.close()
        cluster.close()
    assert len(reports) == min(2, os.cpu_count() or 1)
    assert all(report["pid"] != os.getpid() for report in reports)
    assert all(pinned(report) for report in reports), reports
