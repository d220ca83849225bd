"""`camd stitch` as a whole process pays only for what it uses: no pandas on the default path, each
camera's timestamp table parsed once, and matplotlib only in the child that draws the figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sessions import Recorded

# Runs the real entry point in a fresh interpreter, then reports what that process imported and how
# often it parsed a timestamp table, into the file named by argv[1].
PROBE = """
import json, sys
from collections import Counter
import camera_daemon.post.session_io as session_io
reads = Counter()
parse = session_io.read_timestamp_table
def counted(path):
    reads[path.name] += 1
    return parse(path)
session_io.read_timestamp_table = counted
report, sys.argv = sys.argv[1], ["camd", *sys.argv[2:]]
from camera_daemon.entry import main
try:
    main()
finally:
    with open(report, "w") as handle:
        json.dump({"modules": sorted(sys.modules), "reads": reads}, handle)
"""


def test_stitch_process_skips_pandas_and_matplotlib_and_reads_each_table_once(
    three_cameras: tuple[Path, dict[str, Recorded]], tmp_path: Path
) -> None:
    folder, truth = three_cameras
    report = tmp_path / "probe.json"
    command = [sys.executable, "-c", PROBE, str(report), "stitch", str(folder), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)["results"][0]
    assert result["frames_written"] == result["aligned_rows"] > 0
    probe = json.loads(report.read_text())
    assert "pandas" not in probe["modules"] and "matplotlib" not in probe["modules"]
    assert probe["reads"] == {f"{name}.timestamps.csv": 1 for name in truth}
    report_json = json.loads((folder / "post" / "report.json").read_text())
    assert report_json["plots"] == ["intervals.png", "offsets.png", "drops.png"]
    for name in report_json["plots"]:
        assert (folder / "post" / "plots" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
