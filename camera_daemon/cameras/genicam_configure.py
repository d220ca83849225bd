"""Putting a camera config onto a GenICam device, in the connection that will then acquire.

Some producers (viky) reset PixelFormat on every new connection, so settings applied in a separate
connection would be lost; the camera calls this right after opening and before starting.

Only what the config states is applied: a field left out of the session file keeps the camera's
own value (a 640x480 default would not fit a 400x400 sensor). What the user wrote and the camera
cannot do is an error; what this module adds on its own (resetting offsets so a larger Width fits,
switching the trigger off for free-running) is skipped quietly where the camera lacks it.

``pixel_format`` for a GenICam camera is a GenICam name (``Mono12``, ``BayerRG8``), optionally with
the layout to record after a colon (``Mono12:mono8`` down-converts to 8 bits), or one of the
recorded layouts alone (``mono8``, ``mono16``, ``bgr8``), for which a matching camera format is
chosen from those the camera offers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from camera_daemon.cameras.base import PixelFormat
from camera_daemon.cameras.pixels import SUPPORTED_FORMATS, natural_output
from camera_daemon.config import CameraConfig
from camera_daemon.errors import CameraError
from camera_daemon.gentl import nodes

logger = logging.getLogger(__name__)

TRIGGER_FREE = "free"
TRIGGER_SOFTWARE = "software"
TRIGGERS = (TRIGGER_FREE, TRIGGER_SOFTWARE)
AUTO_FORMAT = "auto"  # record whatever format the camera sends, and name it in the manifest

# Camera formats tried, best first, when only the recorded layout is given.
_CANDIDATES = {
    PixelFormat.mono8: ("Mono8",),
    PixelFormat.mono16: ("Mono16", "Mono12", "Mono10"),
    PixelFormat.bgr8: ("BGR8", "RGB8", "BayerRG8", "BayerGB8", "BayerGR8", "BayerBG8", "BGRa8", "RGBa8"),
}


@dataclass(frozen=True, slots=True)
class PixelRequest:
    camera_format: str | None  # GenICam name to set; None keeps the camera's
    output: PixelFormat | None  # layout to record; None records the format's natural layout


def parse_pixel_format(config: CameraConfig) -> PixelRequest:
    if "pixel_format" not in config.model_fields_set:
        return PixelRequest(None, None)
    text = config.pixel_format
    if text == AUTO_FORMAT:
        return PixelRequest(None, None)
    camera_part, _, output_part = text.partition(":")
    layouts = [str(layout) for layout in PixelFormat]
    if not output_part and camera_part in layouts:
        return PixelRequest(None, PixelFormat(camera_part))
    if output_part and output_part not in layouts:
        raise CameraError(f"camera '{config.name}': '{output_part}' is not a layout; use {', '.join(layouts)}")
    if camera_part not in SUPPORTED_FORMATS:
        raise CameraError(
            f"camera '{config.name}': pixel_format '{camera_part}' cannot be recorded; "
            f"use one of {', '.join(SUPPORTED_FORMATS)} or {', '.join(layouts)}"
        )
    return PixelRequest(camera_part, PixelFormat(output_part) if output_part else None)


def _choose_format(node_map: Any, request: PixelRequest) -> str | None:
    """The GenICam name to set, resolving a layout-only request against what the camera offers."""
    if request.camera_format is not None or request.output is None:
        return request.camera_format
    node = nodes.require(node_map, "PixelFormat")
    current = str(node.value)
    if current in SUPPORTED_FORMATS and natural_output(current) is request.output:
        return current
    if request.output is PixelFormat.mono8 and current in ("Mono10", "Mono12", "Mono16"):
        return current  # down-converted after acquisition
    offered = set(node.symbolics)
    for candidate in _CANDIDATES[request.output]:
        if candidate in offered:
            return candidate
    raise CameraError(
        f"the camera offers none of {', '.join(_CANDIDATES[request.output])} for {request.output}; "
        f"it offers {', '.join(sorted(offered))}"
    )


def _optional(node_map: Any, name: str, value: object) -> None:
    node = nodes.find(node_map, name)
    if node is None or not nodes.is_writable(node):
        logger.debug("camera has no writable %s; left as it is", name)
        return
    try:
        nodes.write(node, value)
    except CameraError as error:
        logger.warning("could not set %s: %s", name, error)


def _apply_geometry(node_map: Any, config: CameraConfig, camera_format: str | None) -> None:
    explicit = config.model_fields_set
    if camera_format is not None:
        nodes.write_named(node_map, "PixelFormat", camera_format)
    if explicit & {"width", "height"}:
        # A new Width must fit beside the current offset; the offset wanted comes from nodes later.
        for offset in ("OffsetX", "OffsetY"):
            _optional(node_map, offset, 0)
    if "width" in explicit:
        nodes.write_named(node_map, "Width", config.width)
    if "height" in explicit:
        nodes.write_named(node_map, "Height", config.height)


def _apply_rate(node_map: Any, config: CameraConfig) -> None:
    if config.trigger == TRIGGER_SOFTWARE:
        if config.fps <= 0:
            raise CameraError(f"camera '{config.name}': trigger = 'software' needs fps > 0 to pace the triggers")
        for name, value in (("TriggerSelector", "FrameStart"), ("AcquisitionFrameRateEnable", False)):
            _optional(node_map, name, value)
        nodes.write_named(node_map, "TriggerMode", "On")
        nodes.write_named(node_map, "TriggerSource", "Software")
        return
    _optional(node_map, "TriggerMode", "Off")
    if "fps" not in config.model_fields_set or config.fps <= 0:
        return
    if nodes.find(node_map, "AcquisitionFrameRate") is None:
        logger.warning(
            "camera '%s' has no AcquisitionFrameRate: it runs at its own rate and fps = %s only sizes "
            "the buffer; use trigger = 'software' to pace it",
            config.name,
            config.fps,
        )
        return
    _optional(node_map, "AcquisitionFrameRateEnable", True)
    nodes.write_named(node_map, "AcquisitionFrameRate", config.fps)


def apply_config(node_map: Any, config: CameraConfig) -> PixelRequest:
    """Sets format, size, rate, trigger and the user's nodes; returns the pixel request resolved."""
    if config.trigger not in TRIGGERS:
        raise CameraError(f"camera '{config.name}': trigger '{config.trigger}' is unknown; use {' or '.join(TRIGGERS)}")
    request = parse_pixel_format(config)
    camera_format = _choose_format(node_map, request)
    _apply_geometry(node_map, config, camera_format)
    _apply_rate(node_map, config)
    # Last, so a node the user names wins over anything derived from the other fields.
    for name, value in config.nodes.items():
        nodes.write_named(node_map, name, value)
    return PixelRequest(camera_format, request.output)


# The rate a camera reports: SFNC names first, then the older names some vendors still use.
_RATE_NODES = (
    "AcquisitionResultingFrameRate",
    "ResultingFrameRateAbs",
    "AcquisitionFrameRate",
    "AcquisitionFrameRateAbs",
)


def nominal_fps(node_map: Any, config: CameraConfig) -> float | None:
    """The rate to size buffers by: the one the camera reports, or the software trigger's.

    None when the camera states none (a free-running camera without a rate node): the config's
    fps would then be a wish, not a rate (TLSimu asked for 30 sends 190), and a ring sized for
    30 fps holds a sixth of the seconds it promises, so the caller measures the rate instead.
    """
    if config.trigger == TRIGGER_SOFTWARE:
        return config.fps
    for name in _RATE_NODES:
        node = nodes.find(node_map, name)
        if node is not None and nodes.is_readable(node):
            value = nodes.read(node)
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                return float(value)
    return None


def read_back(
    config: CameraConfig, request: PixelRequest, sent_format: str, size: tuple[int, int], fps: float
) -> tuple[dict[str, object], list[str]]:
    """What the camera really does, against what the config asked, after the first frame came.

    Some producers accept a PixelFormat write and go on sending another format (TLSimu always
    sends Mono8 or RGB8): recording that under the requested name would be a silent lie, so a
    format other than the one set is an error naming both, unless ``pixel_format = "auto"``.
    Size and rate are recorded as they are (the manifest keeps the real values) and a difference
    is a warning: a camera that rounds a Width or ignores a rate still records every frame.
    Returns the manifest fields and the warnings.
    """
    name = config.name
    if request.camera_format is not None and sent_format != request.camera_format:
        raise CameraError(
            f"camera '{name}' was set to PixelFormat {request.camera_format} but sends {sent_format}; "
            f'use pixel_format = "{sent_format}", or "{AUTO_FORMAT}" to record what it sends'
        )
    warnings = []
    explicit = config.model_fields_set
    for field, asked, got in (("width", config.width, size[0]), ("height", config.height, size[1])):
        if field in explicit and asked != got:
            warnings.append(f"camera '{name}' sends {field} {got}, not the {asked} asked; recorded as sent")
    if "fps" in explicit and config.fps > 0 and abs(fps - config.fps) > 0.02 * config.fps:
        warnings.append(
            f"camera '{name}' runs at {fps:.1f} fps, not the {config.fps:g} asked; "
            "its real rate is in the manifest (trigger = 'software' paces a camera without a rate node)"
        )
    return {"camera_pixel_format": sent_format}, warnings
