"""An MJPEG-over-HTTP camera that freezes: it sends a few frames, then keeps the connection open and
silent, the way a hung IP camera does. A reader blocks in recv() until its own timeout."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import cv2
import numpy as np

BOUNDARY = b"frame"


def _jpeg(index: int) -> bytes:
    image = np.full((120, 160, 3), 40 * index % 256, dtype=np.uint8)
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return bytes(data)


@contextmanager
def frozen_mjpeg_server(frames: int = 5) -> Iterator[str]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    done = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not done.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            held.append(client)  # never closed until the test ends: the stream hangs, it does not end
            client.recv(4096)
            client.sendall(
                b"HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=" + BOUNDARY + b"\r\n\r\n"
            )
            for index in range(frames):
                body = _jpeg(index)
                part = b"--" + BOUNDARY + b"\r\nContent-Type: image/jpeg\r\nContent-Length: "
                client.sendall(part + str(len(body)).encode() + b"\r\n\r\n" + body + b"\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/video.mjpg"
    finally:
        done.set()
        listener.close()
        for client in held:
            client.close()
