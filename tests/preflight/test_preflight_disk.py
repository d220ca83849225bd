"""The disk row of `camd preflight` on real small filesystems: read-only, full, and too small."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from daemon.disks import small_disk

from recordings import camd


def _disk_row(config: Path, output: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = camd("preflight", str(config), "--json", "--output", str(output), *extra)
    assert result.stdout, result.stderr
    rows = {row["check"]: row for row in json.loads(result.stdout)["checks"]}
    return result.returncode, rows["disk"]


def _config(tmp_path: Path, guard: int = 0) -> Path:
    path = tmp_path / "session.toml"
    path.write_text(
        f"[disk]\nmin_free_megabytes = {guard}\nreserve_megabytes = 0\n"
        '[encoder]\ncodec = "ffv1"\n[[cameras]]\nname = "a"\nscene = "noise"\n'
    )
    return path


def test_a_read_only_output_fails(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 8) as disk:
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        code, row = _disk_row(_config(tmp_path), disk / "sessions")
    assert code == 1
    assert row["verdict"] == "fail" and "is not writable (Read-only file system)" in row["detail"], row


def test_a_full_output_fails(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 4) as disk:
        subprocess.run(["dd", "if=/dev/zero", f"of={disk / 'fill'}", "bs=1M", "count=8"], capture_output=True)
        code, row = _disk_row(_config(tmp_path), disk)
    assert code == 1
    assert row["verdict"] == "fail" and "is not writable (No space left on device)" in row["detail"], row


def test_too_little_room_for_the_duration_warns_with_the_hours_left(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 64) as disk:
        code, row = _disk_row(_config(tmp_path), disk, "--duration", "3600")
    assert code == 0  # a warning, not a failure: the session runs until the disk guard stops it
    assert row["verdict"] == "warn" and "less than the 3600 s asked" in row["detail"], row
    hours = row["values"]["hours_left"]
    assert 0 < hours < 1
    assert row["values"]["free_bytes"] / row["values"]["bytes_per_second"] / 3600 == hours  # guard and reserve 0


def test_the_disk_guard_margin_counts(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 16) as disk:
        code, row = _disk_row(_config(tmp_path, guard=500), disk)
    assert code == 1
    assert row["verdict"] == "fail" and "below the 500 MiB the disk guard and reserve hold back" in row["detail"]
