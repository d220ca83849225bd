"""Each camera opened and read once, and that very frame encoded with the session's encoder.

The frame proves the camera delivers the size and pixel format asked, and its encoded size is the
write rate the disk check divides free space by: one frame of the real scene says more than any
table of typical bitrates. An intra-coded first frame is the largest a GOP holds, so the rate
errs on the safe side for h264/hevc/av1 and is exact for ffv1 and mjpeg.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from camera_daemon.cameras.base import Camera, FrameGeometry
from camera_daemon.cameras.factory import create_camera
from camera_daemon.config import CameraConfig, SessionConfig
from camera_daemon.encoding.command import encoder_name
from camera_daemon.encoding.probe import probe_geometry
from camera_daemon.preflight.basics import encode
from camera_daemon.preflight.rows import Row, Verdict

OPEN_TIMEOUT_S = 20.0


@dataclass
class CameraResult:
    rows: list[Row] = field(default_factory=list)
    bytes_per_second: float = 0.0


def _open_and_read(camera: Camera) -> np.ndarray:  # type: ignore[type-arg]
    camera.open()
    frame = np.empty(camera.geometry.shape, dtype=camera.geometry.pixel_format.dtype)
    camera.read(frame)
    return frame


def _first_frame(config: CameraConfig) -> tuple[Camera, np.ndarray | None, str]:  # type: ignore[type-arg]
    """A camera that never answers (a dead URL) must not hang the preflight: it opens in a thread."""
    camera = create_camera(config)
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["frame"] = _open_and_read(camera)
        except BaseException as error:  # reported as the row's reason
            outcome["error"] = str(error).splitlines()[0] if str(error) else type(error).__name__

    thread = threading.Thread(target=run, name=f"preflight-{config.name}", daemon=True)
    thread.start()
    thread.join(OPEN_TIMEOUT_S)
    if thread.is_alive():
        return camera, None, f"no frame within {OPEN_TIMEOUT_S:g} s"
    frame = outcome.get("frame")
    if isinstance(frame, np.ndarray):
        return camera, frame, ""
    return camera, None, str(outcome.get("error", "no frame"))


def _mismatches(config: CameraConfig, geometry: FrameGeometry) -> list[str]:
    asked = config.model_fields_set
    found = []
    size = (geometry.width, geometry.height)
    if asked & {"width", "height"} and size != (config.width, config.height):
        found.append(f"{geometry.width}x{geometry.height}, not the {config.width}x{config.height} asked")
    layout = config.pixel_format in {"mono8", "mono16", "bgr8"}
    if "pixel_format" in asked and layout and geometry.pixel_format.value != config.pixel_format:
        found.append(f"{geometry.pixel_format.value}, not the {config.pixel_format} asked")
    return found


def check_camera(session: SessionConfig, config: CameraConfig) -> CameraResult:
    result = CameraResult()
    camera, frame, reason = _first_frame(config)
    try:
        geometry = camera.geometry if frame is not None else probe_geometry(config)
    finally:
        if frame is not None:
            camera.close()
    label = f"camera {config.name}"
    if frame is None:
        result.rows.append(Row(label, Verdict.fail, f"{config.backend.value}:{config.source}: {reason}"))
    else:
        mismatches = _mismatches(config, geometry)
        fmt = geometry.pixel_format.value
        described = f"{geometry.width}x{geometry.height} {fmt} at {geometry.nominal_fps:.1f} fps"
        values: dict[str, object] = {"width": geometry.width, "height": geometry.height, "pixel_format": fmt}
        values["fps"] = geometry.nominal_fps
        if mismatches:
            result.rows.append(Row(label, Verdict.fail, f"delivers {'; '.join(mismatches)}", values))
        else:
            result.rows.append(Row(label, Verdict.ok, f"delivers {described}", values))
    name = encoder_name(session.encoder)
    encoded, why = encode(session, geometry, frame.tobytes() if frame is not None else None)
    label = f"encoder {config.name}"
    if encoded is None:
        result.rows.append(Row(label, Verdict.fail, f"{name} cannot encode this camera's frames: {why}"))
        return result
    fps = geometry.nominal_fps if geometry.nominal_fps > 0 else config.fps
    result.bytes_per_second = len(encoded) * fps
    source = "its frame" if frame is not None else "a blank frame"
    detail = f"{name} encodes {source}: {len(encoded) / 1024:.1f} KiB, {result.bytes_per_second / 2**20:.2f} MiB/s"
    values = {"encoder": name, "frame_bytes": len(encoded), "bytes_per_second": float(result.bytes_per_second)}
    result.rows.append(Row(label, Verdict.ok, detail, values))
    return result
