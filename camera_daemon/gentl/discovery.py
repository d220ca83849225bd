"""What `camd devices` lists: every GenICam device the producers offer, and OpenCV's camera indices.

GenICam devices are opened briefly to read their size and pixel formats, because the transport
layer's device list knows neither. A device that cannot be opened (another program holds it) is
still listed, with the reason instead of those fields. The OpenCV side is a quick probe of the
first indices; none existing is a normal answer, not an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2

from camera_daemon.errors import CamdError
from camera_daemon.gentl import nodes
from camera_daemon.gentl.devices import harvester_for, list_entries, open_acquirer

OPENCV_PROBE_INDICES = 8


def _details(node_map: Any) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for key, name in (("width", "Width"), ("height", "Height"), ("pixel_format", "PixelFormat")):
        node = nodes.find(node_map, name)
        details[key] = nodes.read(node) if node is not None and nodes.is_readable(node) else None
    pixel_format = nodes.find(node_map, "PixelFormat")
    details["pixel_formats"] = list(pixel_format.symbolics) if pixel_format is not None else []
    return details


def genicam_devices(producers: Sequence[Path]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    with harvester_for(producers) as harvester:
        for entry in list_entries(harvester):
            row = entry.as_dict()
            try:
                acquirer = open_acquirer(harvester, entry)
            except CamdError as error:
                row.update(width=None, height=None, pixel_format=None, pixel_formats=[], error=str(error))
                found.append(row)
                continue
            try:
                row.update(_details(acquirer.remote_device.node_map), error=None)
            finally:
                acquirer.destroy()
            found.append(row)
    return found


def opencv_devices(indices: int = OPENCV_PROBE_INDICES) -> list[dict[str, Any]]:
    """Indices cv2.VideoCapture opens, with the size and rate it reports; OpenCV's own complaints
    about missing indices are silenced for the probe."""
    found: list[dict[str, Any]] = []
    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        for index in range(indices):
            capture = cv2.VideoCapture(index)
            try:
                if capture.isOpened():
                    found.append(
                        {
                            "index": index,
                            "backend": capture.getBackendName(),
                            "width": int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
                            "height": int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
                            "fps": float(capture.get(cv2.CAP_PROP_FPS)),
                        }
                    )
            finally:
                capture.release()
    finally:
        cv2.utils.logging.setLogLevel(previous)
    return found
