"""The runtime folder and the control socket trust only the user's own: a folder someone else owns or
may write to, a link, or a socket served by another uid is refused with one line, and nothing there
is changed."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from test_daemon_cli import camd, start, status

OTHER_UID = 65534
needs_root = pytest.mark.skipif(os.getuid() != 0, reason="changing owners and uids needs root")


def _kill_recorder(folder: Path) -> None:
    pid_file = folder / "default.pid"
    with contextlib.suppress(OSError, ValueError):
        os.kill(int(pid_file.read_text()), signal.SIGKILL)


def _snapshot(path: Path) -> tuple[int, int, list[str]]:
    info = os.stat(path)
    return info.st_uid, info.st_mode, sorted(os.listdir(path))


@needs_root
@pytest.mark.parametrize("kind", ["other-owner", "world-writable", "symlink"])
def test_unsafe_runtime_folder_is_refused_with_one_line_and_left_as_it_was(tmp_path, monkeypatch, kind):
    folder = tmp_path / "runtime"
    if kind == "symlink":
        target = tmp_path / "shared"  # what a link planted in /tmp would point at: a 1777 folder
        target.mkdir()
        os.chmod(target, 0o1777)
        folder.symlink_to(target)
    else:
        folder.mkdir(mode=0o700)
        if kind == "other-owner":
            os.chown(folder, OTHER_UID, OTHER_UID)
        else:
            os.chmod(folder, 0o777)
    monkeypatch.setenv("CAMD_RUNTIME_DIR", str(folder))
    before = _snapshot(folder)
    try:
        for args in (["status"], ["stop"], ["start", "--camera", "a=synthetic", "--output", str(tmp_path / "out")]):
            result = camd(*args)
            lines = result.stderr.splitlines()
            assert result.returncode == 2, (args, result.stderr)
            assert len(lines) == 1, lines
            assert str(folder) in lines[0] and "CAMD_RUNTIME_DIR" in lines[0]
            assert _snapshot(folder) == before
            assert os.path.islink(folder) == (kind == "symlink")
        assert not (tmp_path / "out").exists(), "nothing may be recorded before the folder is refused"
    finally:
        _kill_recorder(folder)


def test_runtime_folder_is_created_private_and_files_never_follow_links(tmp_path, runtime):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    runtime.mkdir(mode=0o700)
    for name in ("default.tmp", "default.json.tmp", "default.pid.tmp"):
        (runtime / name).symlink_to(victim)
    start(tmp_path)
    assert victim.read_text() == "precious\n"
    for name in ("default.pid", "default.json"):
        info = os.lstat(runtime / name)
        assert not os.path.islink(runtime / name) and info.st_mode & 0o077 == 0
    assert int((runtime / "default.pid").read_text()) == status()["pid"]
    assert camd("stop").returncode == 0
    fresh = tmp_path / "fresh" / "camd"
    os.environ["CAMD_RUNTIME_DIR"] = str(fresh)  # restored by runtime's monkeypatch
    assert camd("status").returncode == 1
    assert os.stat(fresh).st_mode & 0o777 == 0o700


_FAKE_DAEMON = """
import os, socket, sys
listener = socket.socket(fileno=int(sys.argv[1]))
os.setgid({uid}); os.setuid({uid})
listener.listen(8)  # the kernel records the listener's credentials now: uid {uid}
print("listening", flush=True)
while True:
    connection, _ = listener.accept()
    reply = '{{"v": 1, "ok": true, "session": "/fake", "state": "recording", "pid": 1, "uptime_s": 1, "cameras": []}}'
    try:
        connection.recv(65536)
        connection.sendall(reply.encode() + b"\\n")
    except OSError:
        pass  # a client that hung up on us
    connection.close()
"""


@needs_root
def test_a_socket_served_by_another_uid_is_not_trusted(tmp_path, runtime):
    runtime.mkdir(mode=0o700)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(runtime / "default.sock"))
    fake = subprocess.Popen(
        [sys.executable, "-c", _FAKE_DAEMON.format(uid=OTHER_UID), str(listener.fileno())],
        pass_fds=(listener.fileno(),),
        stdout=subprocess.PIPE,
        text=True,
    )
    listener.close()
    try:
        assert fake.stdout is not None and fake.stdout.readline() == "listening\n"
        for args in (["status", "--json"], ["stop"], ["pause"]):
            result = camd(*args)
            lines = result.stderr.splitlines()
            assert result.returncode == 2, (args, result.stdout, result.stderr)
            assert result.stdout == ""
            assert len(lines) == 1 and f"uid {OTHER_UID}" in lines[0] and "default.sock" in lines[0], lines
    finally:
        fake.kill()
        fake.wait()


_FOREIGN_CLIENT = """
import json, os, socket, sys
os.setgid({uid}); os.setuid({uid})
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
    client.settimeout(10)
    client.connect(sys.argv[1])
    try:
        client.sendall(b'{{"v": 1, "cmd": "stop"}}\\n')
    except BrokenPipeError:
        pass  # refused at once, before reading a word; the refusal waits in our queue
    print(client.makefile().readline(), end="")
"""


@needs_root
def test_the_daemon_serves_no_other_uid(tmp_path, monkeypatch):
    folder = Path(tempfile.mkdtemp(prefix="camd-test-", dir="/tmp"))  # outside pytest's 0700 tree
    monkeypatch.setenv("CAMD_RUNTIME_DIR", str(folder))
    try:
        start(tmp_path)
        # open the way for another user on purpose: the uid check is the last line of defence
        os.chmod(folder, 0o755)
        os.chmod(folder / "default.sock", 0o666)
        foreign = subprocess.run(
            [sys.executable, "-c", _FOREIGN_CLIENT.format(uid=OTHER_UID), str(folder / "default.sock")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert foreign.returncode == 0, foreign.stderr
        reply = json.loads(foreign.stdout)
        assert reply["ok"] is False and f"uid {OTHER_UID}" in reply["error"]
        assert status()["state"] == "recording"
        assert camd("stop").returncode == 0
    finally:
        _kill_recorder(folder)
        shutil.rmtree(folder)
