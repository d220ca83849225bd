"""The report's figures are drawn beside the frame loop: in a forked child, which holds no GIL the
loop needs, or in a thread when forking is not safe; either way the caller gets the value or the
error, and a child that dies without answering costs only time."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from camera_daemon.post.beside import Beside


def pid() -> int:
    return os.getpid()


def fails() -> None:
    raise ValueError("axis limits are NaN")


def killed_in_child(parent: int) -> str:
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return "drawn by the caller"


def test_single_threaded_caller_runs_it_in_a_child() -> None:
    assert threading.active_count() == 1
    assert Beside("t", pid).result() not in (0, os.getpid())


def test_the_childs_error_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match="axis limits are NaN"):
        Beside("t", fails).result()


def test_a_child_killed_before_answering_is_replaced_by_the_caller() -> None:
    assert Beside("t", killed_in_child, os.getpid()).result() == "drawn by the caller"


def test_with_another_thread_alive_it_runs_in_a_thread() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert Beside("t", pid).result() == os.getpid()
    finally:
        release.set()
        other.join()


def test_cancel_reaps_the_child() -> None:
    started = Beside("t", signal.pause)
    child = started._pid
    started.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)
