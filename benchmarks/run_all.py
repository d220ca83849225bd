"""Every benchmark in one run: recording, GenICam acquisition, post-stop stage, preview cost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

if __name__ == "__main__":
    failed = 0
    for script in ("recording.py", "genicam_throughput.py", "post_throughput.py", "preview_cost.py"):
        print(f"== {script}", flush=True)
        failed |= subprocess.run([sys.executable, str(HERE / script)], check=False).returncode
    sys.exit(1 if failed else 0)
