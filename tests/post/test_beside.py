"""The report's figures are drawn beside the frame loop: in a forked child, which holds no GIL the
loop needs, or in a thread when forking is not safe; either way the caller gets the value or the
error, and a child that dies without answering costs only time."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from camera_daemon.post.beside import Beside

# A fresh interpreter has one Python thread, as `camd stitch` has when it starts the figures; the
# test process itself may hold threads of earlier tests, which rightly turns the fork off.
SINGLE_THREADED = """
import os, signal
from camera_daemon.post.beside import Beside

def killed_in_child(parent):
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return "drawn by the caller"

def fails():
    raise ValueError("axis limits are NaN")

print("child pid differs:", Beside("t", os.getpid).result() not in (0, os.getpid()))
try:
    Beside("t", fails).result()
except ValueError as error:
    print("error:", error)
print("killed child:", Beside("t", killed_in_child, os.getpid()).result())
waiting = Beside("t", signal.pause)
child = waiting._pid
waiting.cancel()
try:
    os.waitpid(child, os.WNOHANG)
except ChildProcessError:
    print("cancelled child reaped:", child > 0)
"""


def test_single_threaded_caller_runs_it_in_a_child_and_gets_its_answer() -> None:
    done = subprocess.run([sys.executable, "-c", SINGLE_THREADED], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "child pid differs: True",
        "error: axis limits are NaN",
        "killed child: drawn by the caller",
        "cancelled child reaped: True",
    ]
    assert done.stderr == ""  # no fork warning, no traceback


# The caller goes away (killed) before the child answers: the child's write fails, and it must end
# there, never return into the caller's code that follows fork().
ORPHANED = """
import os, sys, time
from pathlib import Path
from camera_daemon.post.beside import Beside

marker = Path(sys.argv[1])

def draw_after_marker():
    deadline = time.monotonic() + 20
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return "drawn"

started = Beside("t", draw_after_marker)
print("started", flush=True)
os.close(started._read)  # as if this process had been killed: nobody reads the answer
marker.touch()
_, status = os.waitpid(started._pid, 0)
print("child exit code:", os.waitstatus_to_exitcode(status))
"""


def test_a_child_whose_caller_is_gone_ends_quietly(tmp_path: Path) -> None:
    marker = tmp_path / "go"
    done = subprocess.run([sys.executable, "-c", ORPHANED, str(marker)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["started", "child exit code: 1"]
    assert done.stderr == ""


def test_with_another_thread_alive_it_runs_in_a_thread() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert Beside("t", os.getpid).result() == os.getpid()
    finally:
        release.set()
        other.join()


STUCK = """
import os, signal
from camera_daemon.post import beside

def stuck_in_child(parent):
    if os.getpid() != parent:
        signal.pause()  # as a child blocked on a lock a native thread held at fork() would be
    return "drawn by the caller"

beside.ANSWER_TIMEOUT_S = 0.5
waiting = beside.Beside("t", stuck_in_child, os.getpid())
child = waiting._pid
print(waiting.result())
try:
    os.waitpid(child, os.WNOHANG)
except ChildProcessError:
    print("stuck child reaped:", child > 0)
"""


def test_a_child_that_never_answers_is_killed_and_the_caller_draws_it_itself() -> None:
    done = subprocess.run([sys.executable, "-c", STUCK], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["drawn by the caller", "stuck child reaped: True"]
