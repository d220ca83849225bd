"""A crash in the first second of ``camd run`` keeps the loss bound, and ``camd recover`` says when
frames or timestamps had to be cut instead of passing a shortened camera off as complete."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
from processes import running, wait_until

from camera_daemon.timing.journal import JournalWriter, journal_path, read_journal

from recordings import CAMD, camd, iter_frames, manifest, table

LOSS_BOUND_S = 0.5
FPS = 30
# After the first frame reached the video, and well before the timestamp logger is up.
KILL_AFTER_S = 0.75


def _group_alive(group: int) -> bool:
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == group and running(process):
                return True
        except (ProcessLookupError, psutil.Error):
            continue
    return False


def _cut_line(result: subprocess.CompletedProcess[str], session: Path) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("camd: error: camera 'a': ") and lines[0].endswith(f"see {session}/manifest.json")
    return lines[0]


def test_sigkill_in_the_first_second_keeps_the_loss_bound(tmp_path):
    session = tmp_path / "s"
    video = session / "a.mkv"
    camera = f"a=synthetic:?width=320&height=240&fps={FPS}"
    process = subprocess.Popen(
        [*CAMD, "run", "--camera", camera, "--duration", "30", "--output", str(tmp_path), "--session", "s", "--quiet"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: video.exists() and video.stat().st_size > 0, what="the first frame in the video")
        first_frame = time.monotonic()
        wait_until(lambda: time.monotonic() - first_frame >= KILL_AFTER_S, what="the kill time")
        killed_utc = time.time()
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        wait_until(lambda: not _group_alive(process.pid), what="every process of the recorder gone")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert manifest(session)["exit_state"] == "recording"

    result = camd("recover", str(session))
    data = manifest(session)
    entry = data["cameras"]["a"]
    rows = table(session, "a")
    frames = sum(1 for _ in iter_frames(video))
    lost_s = killed_utc - entry["last_utc_us"] / 1e6
    cut = entry["frames_without_timestamp"] + entry["timestamps_without_frame"]
    print(f"rows {rows['frame_index'].size}, lost {lost_s:.3f} s, cut {cut}, recover exit {result.returncode}")
    assert data["exit_state"] == "recovered"
    assert frames == rows["frame_index"].size == entry["frames_in_video"] > 0
    assert lost_s <= LOSS_BOUND_S
    assert entry["frames_without_timestamp"] <= LOSS_BOUND_S * FPS
    if cut:  # whatever was cut is said, in the manifest and in one line
        assert result.returncode == 1
        assert entry["exit_state"] == "failed" and entry["error"].endswith(" were cut")
        assert entry["error"] in _cut_line(result, session)
    else:
        assert result.returncode == 0, result.stderr
        assert entry["exit_state"] == "stopped" and entry["error"] is None


def test_recover_reports_frames_cut_for_want_of_timestamps(tmp_path):
    session = tmp_path / "s"
    recorded = camd(
        "run", "--camera", "a=synthetic:?width=160&height=120", "--duration", "2",
        "--output", str(tmp_path), "--session", "s", "--quiet",
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    before = manifest(session)["cameras"]["a"]["frames_in_video"]
    # The logger's copy is gone and the journal lost all but its first batch: the video has frames
    # whose times nobody kept.
    for directory in (session / "logs").glob("*_data_log"):
        for path in directory.iterdir():
            path.unlink()
        directory.rmdir()
    journal = journal_path(session / "logs", "a")
    onset, first_batch = read_journal(journal)[:2]
    journal.unlink()
    writer = JournalWriter(journal)
    for source_id, acquisition_time, payload in (onset, first_batch):
        writer.append(source_id, acquisition_time, payload.tobytes())
    writer.close()

    result = camd("recover", str(session), "--force")
    entry = manifest(session)["cameras"]["a"]
    rows = table(session, "a")
    kept = rows["frame_index"].size
    assert result.returncode == 1
    assert 0 < kept < before
    assert entry["error"] == f"{before - kept} frames without a timestamp were cut"
    assert entry["exit_state"] == "failed" and manifest(session)["failed_cameras"] == ["a"]
    assert f"camera 'a': {entry['error']}; the rest is final" in _cut_line(result, session)
    assert sum(1 for _ in iter_frames(session / "a.mkv")) == kept == entry["frames_in_video"]
