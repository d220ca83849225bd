"""How much GenICamCamera costs over bare Harvesters, on a TLSimu 512x512 mono camera.

Both loops copy every frame out of the producer's buffer into a preallocated array, since any
recorder must; the difference is what GenICamCamera adds (conversion, frame info, clock unwrap).
CPU time is the whole process's (time.process_time), which includes the simulator's own thread
making frames in both cases.

    python benchmarks/genicam_throughput.py [--seconds 5] [--cti /path/to/TLSimu.cti]

Without --cti the TLSimu producer is taken from CAMD_CTI, else fetched the way the tests do.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

SERIAL = "SN_InterfaceA_0"
SIZE = 512


def _tlsimu_path(given: str | None) -> Path:
    if given:
        return Path(given)
    for part in os.environ.get("CAMD_CTI", "").split(os.pathsep):
        if part.endswith("TLSimu.cti"):
            return Path(part)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from gentl_producers import tlsimu_cti

    fetched: Path = tlsimu_cti()
    return fetched


def measure_bare_fetch(seconds: float, cti: Path | None = None) -> tuple[float, float]:
    """Frames per second and CPU seconds per frame of a plain Harvesters fetch-and-copy loop."""
    from harvesters.core import Harvester

    harvester = Harvester()
    harvester.add_file(str(cti or _tlsimu_path(None)))
    harvester.update()
    acquirer = harvester.create({"serial_number": SERIAL})
    try:
        node_map = acquirer.remote_device.node_map
        node_map.Width.value = SIZE
        node_map.Height.value = SIZE
        out = np.empty((SIZE, SIZE), np.uint8)
        acquirer.start()
        with acquirer.fetch(timeout=2.0) as buffer:  # the first frame pays for startup: not counted
            np.copyto(out, buffer.payload.components[0].data.reshape(SIZE, SIZE))
        frames, start_s, start_cpu_s = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - start_s < seconds:
            with acquirer.fetch(timeout=2.0) as buffer:
                np.copyto(out, buffer.payload.components[0].data.reshape(SIZE, SIZE))
            frames += 1
        elapsed_s, cpu_s = time.perf_counter() - start_s, time.process_time() - start_cpu_s
        acquirer.stop()
    finally:
        acquirer.destroy()
        harvester.reset()
    return frames / elapsed_s, cpu_s / frames


def measure_camera_read(seconds: float, cti: Path | None = None) -> tuple[float, float]:
    """The same measure through GenICamCamera.read into a preallocated slot."""
    from camera_daemon.cameras.genicam import GenICamCamera
    from camera_daemon.config import Backend, CameraConfig

    os.environ["CAMD_CTI"] = str(cti or _tlsimu_path(None))
    config = CameraConfig(name="bench", backend=Backend.genicam, source=f"serial:{SERIAL}", width=SIZE, height=SIZE)
    camera = GenICamCamera(config)
    camera.open()
    try:
        out = np.empty(camera.geometry.shape, camera.geometry.pixel_format.dtype)
        camera.read(out)  # the frame fetched during open(): not counted
        frames, start_s, start_cpu_s = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - start_s < seconds:
            camera.read(out)
            frames += 1
        elapsed_s, cpu_s = time.perf_counter() - start_s, time.process_time() - start_cpu_s
    finally:
        camera.close()
    return frames / elapsed_s, cpu_s / frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--cti", default=None, help="path of TLSimu.cti (libVirtualFG.so beside it)")
    args = parser.parse_args()
    cti = _tlsimu_path(args.cti)
    bare_fps, bare_cpu = measure_bare_fetch(args.seconds, cti)
    camera_fps, camera_cpu = measure_camera_read(args.seconds, cti)
    print(f"TLSimu {SIZE}x{SIZE} mono8, {args.seconds:g} s each")
    print(f"bare Harvesters fetch+copy : {bare_fps:8.1f} fps  {bare_cpu * 1e6:8.1f} µs CPU/frame")
    print(f"GenICamCamera.read         : {camera_fps:8.1f} fps  {camera_cpu * 1e6:8.1f} µs CPU/frame")
    print(f"ratio camera/bare          : {camera_fps / bare_fps:8.3f} fps  {camera_cpu / bare_cpu:8.3f} CPU")


if __name__ == "__main__":
    main()
