"""The control socket under load and abuse: many clients at once all get answers, a client that
trickles its request is cut at the deadline while others are served, and a deeply nested request
gets an error reply."""

from __future__ import annotations

import json
import select
import socket
import subprocess
import threading
import time
from typing import Any

from test_daemon_cli import CAMD, camd, start, status

from camera_daemon.daemon.protocol import request

CLIENT_THREADS = 64
CLI_CLIENTS = 20


def test_every_one_of_many_concurrent_clients_gets_a_status_reply(tmp_path, runtime):
    session = start(tmp_path)
    sock = runtime / "default.sock"
    barrier = threading.Barrier(CLIENT_THREADS)
    replies: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def client() -> None:
        barrier.wait()
        try:
            for _ in range(3):
                replies.append(request(sock, "status", timeout_s=60))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=client) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    cli = [
        subprocess.Popen([*CAMD, "status", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(CLI_CLIENTS)
    ]
    outputs = [process.communicate(timeout=120) for process in cli]
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert len(replies) == 3 * CLIENT_THREADS
    assert all(reply["ok"] and reply["session"] == str(session) for reply in replies)
    assert [process.returncode for process in cli] == [0] * CLI_CLIENTS, [err for _, err in outputs if err][:1]
    for out, _ in outputs:
        assert json.loads(out)["session"] == str(session)
    assert camd("stop").returncode == 0


def test_a_trickling_client_is_cut_at_the_deadline_while_others_are_served(tmp_path, runtime):
    start(tmp_path)
    sock = runtime / "default.sock"
    request_bytes = b'{"v": 1, "cmd": "status"}' + b" " * 100 + b"\n"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as slow:
        slow.connect(str(sock))
        opened = time.monotonic()
        received = b""
        served_meanwhile = 0
        for byte in request_bytes:  # one byte every 0.2 s: each read is quick, the request never ends
            try:
                slow.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            readable, _, _ = select.select([slow], [], [], 0.2)
            if readable:
                try:
                    chunk = slow.recv(65536)
                except ConnectionResetError:  # cut: the reply, if it came, was read before
                    break
                received += chunk
                if not chunk:
                    break
            if served_meanwhile < 3 and time.monotonic() - opened > 1.0:
                assert status()["state"] == "recording"
                served_meanwhile += 1
        cut_after = time.monotonic() - opened
    assert served_meanwhile == 3
    assert 4.5 <= cut_after <= 8.0, cut_after
    reply = json.loads(received)
    assert reply["ok"] is False and "within 5 s" in reply["error"]
    assert camd("stop").returncode == 0


def test_deeply_nested_json_gets_an_error_reply_on_a_connection_that_stays_open(tmp_path, runtime):
    start(tmp_path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(30)
        client.connect(str(runtime / "default.sock"))
        lines = client.makefile("rb")
        for payload in (b"[" * 30000 + b"]" * 30000, b'{"a":' * 10000 + b"1" + b"}" * 10000):
            client.sendall(payload + b"\n")
            reply = json.loads(lines.readline())
            assert reply["ok"] is False and "nested" in reply["error"]
        client.sendall(b'{"v": 1, "cmd": "ping"}\n')
        assert json.loads(lines.readline())["ok"] is True
    assert camd("stop").returncode == 0
