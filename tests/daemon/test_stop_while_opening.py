"""A camera still opening (a URL that accepts the connection and never answers, which holds OpenCV
in ``open`` for its 30 s timeout) must not hold up a stop, nor the cameras that already record."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from processes import interrupt_when

from camera_daemon.timing.journal import journal_path, read_journal

from recordings import CAMD, iter_frames, manifest, table

# The workers must have ended within this of the request; the whole command, which also waits for the
# timestamp logger's shutdown, tables and manifest, gets the looser bound of test_stalled_sources.
STOP_LIMIT_S = 1.0
COMMAND_LIMIT_S = 10.0


@contextmanager
def silent_server() -> Iterator[str]:
    """Accepts every connection and never sends a byte."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            held.append(client)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/x.mjpg"
    finally:
        listener.close()
        for client in held:
            client.close()


def _ended_after(session: Path, camera: str, asked_utc: float) -> float:
    result = json.loads((session / "logs" / f"{camera}.worker.json").read_text())
    return float(result["ended_utc"]) - asked_utc


def _recording(session: Path) -> bool:
    """Camera a (source 2) has frames in its journal and in the logger's own entries: the recorder
    is past its start, whose spawning of helper processes ignores Ctrl-C for a moment."""
    path = journal_path(session / "logs", "a")
    logged = [p for p in session.glob("logs/*_data_log/002_*.npy") if not p.stem.endswith("_" + "0" * 20)]
    return path.exists() and len(read_journal(path)) >= 3 and bool(logged)


def test_sigint_while_a_camera_is_opening_stops_within_a_second(tmp_path):
    session = tmp_path / "s"
    with silent_server() as url:
        cameras = ["--camera", f"u=opencv:{url}", "--camera", "a=synthetic:?width=160&height=120"]
        process = subprocess.Popen(
            [*CAMD, "run", *cameras, "--duration", "60", "--output", str(tmp_path), "--session", "s", "--quiet"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        # u is still inside open() when a is recording
        took, asked_utc, stderr = interrupt_when(process, lambda: _recording(session))
    ended = {name: _ended_after(session, name, asked_utc) for name in "ua"}
    print(f"stop took {took:.2f} s; workers ended after {ended['u']:.2f} s (u) and {ended['a']:.2f} s (a)")
    assert process.returncode == 1
    assert stderr.splitlines() == [f"camd: error: camera(s) u failed; see {session}/manifest.json and logs/"]
    assert max(ended.values()) <= STOP_LIMIT_S
    assert took <= COMMAND_LIMIT_S

    data = manifest(session)
    assert data["failed_cameras"] == ["u"]
    opening = data["cameras"]["u"]
    assert opening["error"] == "camera did not open before stop"
    assert opening["frames_in_video"] == 0 and opening["timestamps_logged"] == 0
    entry = data["cameras"]["a"]
    rows = table(session, "a")
    frames = sum(1 for _ in iter_frames(session / "a.mkv"))
    assert entry["exit_state"] == "stopped" and entry["error"] is None
    assert frames == rows["frame_index"].size == entry["frames_in_video"] >= 10
