"""Every benchmark in one run: recording, GenICam acquisition, post-stop stage."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

if __name__ == "__main__":
    failed = 0
    for script in ("recording.py", "genicam_throughput.py", "post_throughput.py"):
        print(f"== {script}", flush=True)
        failed |= subprocess.run([sys.executable, str(HERE / script)], check=False).returncode
    sys.exit(1 if failed else 0)
