"""Every benchmark in one run: recording, control latency and start, scale, GenICam, post-stop stage.

    python benchmarks/run_all.py [--quick]

Each benchmark prints its own figures as median (min, max) over alternating rounds; ``--quick``
passes each its smallest sensible settings, for a smoke run rather than a measurement.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS: dict[str, list[str]] = {
    "recording.py": [],
    "control_latency.py": [],
    "scale.py": [],
    "genicam_throughput.py": [],
    "post_throughput.py": [],
    "dedupe_throughput.py": [],
    "preview_cost.py": [],
}
QUICK: dict[str, list[str]] = {
    "control_latency.py": ["--runs", "5", "--starts", "2"],
    "scale.py": ["--seconds", "4", "--counts", "1,2"],
    "post_throughput.py": ["--seconds", "20", "--rounds", "2"],
}

if __name__ == "__main__":
    quick = "--quick" in sys.argv[1:]
    failed = 0
    for script, arguments in BENCHMARKS.items():
        if not (HERE / script).exists():
            continue
        print(f"== {script}", flush=True)
        extra = QUICK.get(script, []) if quick else arguments
        failed |= subprocess.run([sys.executable, str(HERE / script), *extra], check=False).returncode
    sys.exit(1 if failed else 0)
