"""Thread limits for batch workers: one process per core already uses every core.

OpenMP, BLAS and OpenCV each start a thread per core by default; N worker processes on N cores then
run N x N threads that fight over caches and slow each other down. Every pool camd starts (curate's
process pools, the post stage's Dask workers) pins them to one, as the recording workers do. Kept at
the bottom layer so the post stage and curate share one definition.
"""

from __future__ import annotations

import os

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def pin_environment() -> None:
    """Set the variables for this process and every child it starts from now on. A user's own value
    wins: someone who sets OMP_NUM_THREADS knows their machine better than a default does."""
    for variable in THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")


def pin_threads() -> None:
    """Pin a worker: the environment (read by BLAS/OpenMP libraries that load after this) and OpenCV,
    whose pool is already running in any process that imported cv2 and so ignores the environment."""
    pin_environment()
    try:
        import cv2
    except ImportError:
        return
    cv2.setNumThreads(1)


def thread_report(_: object = None) -> dict[str, str | int]:
    """What a worker runs with, so a test (or a user) can see the pinning took effect there; the
    ignored argument lets a pool map it over jobs."""
    import cv2

    report: dict[str, str | int] = {name: os.environ.get(name, "") for name in THREAD_VARIABLES}
    report["cv2"] = int(cv2.getNumThreads())
    report["pid"] = os.getpid()
    return report
