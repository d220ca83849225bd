"""GenICam cameras through Harvesters and the GenTL producers configured with `camd cti set`.

``open`` connects, applies the config in that same connection (see cameras.genicam_configure), starts
acquisition and waits for the first frame: the geometry is taken from what the camera actually
delivers, because some producers accept a PixelFormat and go on sending another. That first
frame is kept and returned by the first ``read``, so no frame is thrown away.

The rate is taken from the camera's rate nodes or the config (see cameras.genicam_configure.nominal_fps).
A free-running camera that states none (TLSimu has no rate node) is timed instead: frames are
fetched for a moment and the rate they arrive at sizes the recorder's ring and the encoder's
keyframe interval, which a default of 30 fps would make several times too small for a camera
sending 190. Those probe frames come before the recording starts and only the last is kept:
held back, the others would be stamped with host times long after they arrived.

Each ``read`` fetches with a timeout (a producer that stalls must not hang the worker), converts
the payload straight into the caller's slot and only then gives the buffer back to the producer.
Incomplete buffers are given back, counted in ``incomplete_buffers`` and not returned.

When fetches time out the camera is marked ``lost`` and reconnected (a fresh Harvester, the
config applied again) until ``reconnect_s`` has passed; then ``read`` raises CameraError.
After a reconnect the camera's frame counter may start again; ``reconnects`` says it happened.

With ``trigger = "software"`` every frame is triggered by TriggerSoftware at start + k/fps on the
monotonic clock, so the rate is exact and sleeping late never accumulates. Slots already more
than one period in the past are skipped (counted in ``missed_triggers``) instead of triggered in
a burst.

Device times are unwrapped by gentl.clock.DeviceClock (TLSimu's ``timestamp_ns`` wraps every
second); producers without buffer timestamps (viky) report -1.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np

from camera_daemon.cameras import genicam_configure as configure
from camera_daemon.cameras.base import FrameGeometry, FrameInfo, PixelFormat
from camera_daemon.cameras.pixels import PixelConverter, converter_for
from camera_daemon.config import CameraConfig
from camera_daemon.errors import CameraError
from camera_daemon.gentl import nodes
from camera_daemon.gentl.clock import DeviceClock
from camera_daemon.gentl.devices import DeviceEntry, list_entries, open_acquirer, select_entry
from camera_daemon.gentl.producers import require_producers

logger = logging.getLogger(__name__)

_NUM_BUFFERS = 16
# How long one wait inside Harvesters' fetch loop lasts; it returns at once when a buffer arrives,
# so a longer wait only saves the wake-ups its default of 1 ms costs while idle.
_EVENT_WAIT_MS = 20
_RETRY_PAUSE_S = 0.25
# Timing a camera that states no rate: at most this many frames, for at most this long.
_PROBE_FRAMES = 12
_PROBE_NS = 250_000_000
_MAX_FPS = 10_000.0  # the highest rate a config may state


class _NoFrame(Exception):
    """A fetch timed out or the device stopped answering: a reason to reconnect."""


class GenICamCamera:
    """One GenICam device, selected by ``config.source`` (see gentl.devices for the selector)."""

    def __init__(self, config: CameraConfig) -> None:
        self._config = config
        self.incomplete_buffers = 0
        self.missed_triggers = 0
        self.reconnects = 0
        self.lost = False
        self.device: DeviceEntry | None = None
        self._harvester: Any = None
        self._acquirer: Any = None
        self._converter: PixelConverter | None = None
        self._output: PixelFormat | None = None
        self._geometry: FrameGeometry | None = None
        self._idle = False
        self._clock = DeviceClock()
        self._period_ns = round(1e9 / config.fps) if config.fps > 0 else 0
        self._schedule_start_ns = 0
        self._trigger_index = 0
        self._reconnect_failure = ""
        self._request = configure.PixelRequest(None, None)
        # What the camera really does where it differs from the config: manifest fields, warnings.
        self.read_back: dict[str, object] = {}
        self.setting_warnings: list[str] = []

    @property
    def geometry(self) -> FrameGeometry:
        if self._geometry is None:
            raise CameraError(f"camera '{self._config.name}': its geometry is known only after open()")
        return self._geometry

    @property
    def live(self) -> bool:
        return True

    @property
    def extra_drops(self) -> dict[str, int]:
        """Frames the camera never sent that no frame id gap shows: the recorder reports them as drops."""
        return {"missed_trigger": self.missed_triggers, "incomplete": self.incomplete_buffers}

    @property
    def device_clock_unreliable(self) -> bool:
        return self._clock.unreliable

    def open(self) -> None:
        self._converter = None
        self._clock = DeviceClock()
        try:
            self._connect()
            self._first_frame()
            # Acquisition pauses until the first read: frames the camera sent while the recorder
            # set up its ring and encoder would otherwise wait in the producer's queue and all get
            # late, bunched host times.
            self._acquirer.stop()
            self._idle = True
        except BaseException:
            self.close()
            raise

    def _connect(self) -> None:
        from harvesters.core import Harvester

        self._harvester = Harvester()
        for path in require_producers():
            self._harvester.add_file(str(path))
        self._harvester.update()
        entry = select_entry(list_entries(self._harvester), self._config.source)
        acquirer = open_acquirer(self._harvester, entry)
        self._acquirer = acquirer
        self.device = entry
        node_map = acquirer.remote_device.node_map
        request = configure.apply_config(node_map, self._config)
        self._request = request
        self._output = request.output
        acquirer.num_buffers = max(_NUM_BUFFERS, acquirer.min_num_buffers)
        acquirer.timeout_period_on_update_event_data_call = _EVENT_WAIT_MS
        acquirer.add_callback(acquirer.Events.INCOMPLETE_BUFFER, _IncompleteCounter(self))
        try:
            acquirer.start()
        except Exception as error:  # genicam exception types carry the reason in their text
            raise CameraError(f"camera '{self._config.name}': cannot start acquisition ({error})") from None
        self._schedule_start_ns = time.monotonic_ns()
        self._trigger_index = 0

    def _first_frame(self) -> tuple[np.ndarray, FrameInfo]:  # type: ignore[type-arg]
        try:
            slot, info = self._receive(None)
        except _NoFrame as reason:
            raise CameraError(
                f"camera '{self._config.name}' ({self._describe()}) sent no frame within "
                f"{self._config.fetch_timeout_s} s of starting ({reason}); check TriggerMode and "
                "the trigger setting, or raise fetch_timeout_s"
            ) from None
        converter = self._converter
        assert converter is not None
        node_map = self._acquirer.remote_device.node_map
        rate = configure.nominal_fps(node_map, self._config)
        measured = rate is None
        if rate is None:
            slot, info, rate = self._timed_frames(slot, info)
            logger.info("camera '%s' states no frame rate; it sends about %.1f fps", self._config.name, rate)
        self.read_back, self.setting_warnings = configure.read_back(
            self._config, self._request, converter.genicam_format, (converter.width, converter.height), rate
        )
        for warning in self.setting_warnings:
            logger.warning("%s", warning)
        self._geometry = FrameGeometry(
            width=converter.width,
            height=converter.height,
            pixel_format=converter.output,
            nominal_fps=rate,
            rate_measured=measured,
        )
        return slot, info

    def _timed_frames(
        self,
        slot: np.ndarray,  # type: ignore[type-arg]
        info: FrameInfo,
    ) -> tuple[np.ndarray, FrameInfo, float]:  # type: ignore[type-arg]
        """Fetches a few frames into ``slot``; returns the last one and the rate they came at.

        The median interval is used, device times where the camera has them: the first buffers
        after starting can arrive in a burst or after a pause, which a mean would average in.
        """
        host_ns = [time.monotonic_ns()]
        device_ns = [info.device_time_ns]
        while len(host_ns) < _PROBE_FRAMES and host_ns[-1] - host_ns[0] < _PROBE_NS:
            try:
                slot, info = self._receive(slot)
            except _NoFrame:
                break  # a slow camera: time it on what came, the config's fps if nothing did
            host_ns.append(time.monotonic_ns())
            device_ns.append(info.device_time_ns)
        times = device_ns if min(device_ns) >= 0 else host_ns
        intervals = np.diff(np.asarray(times, dtype=np.int64))
        intervals = intervals[intervals > 0]
        if intervals.size == 0:
            return slot, info, self._config.fps
        return slot, info, min(_MAX_FPS, 1e9 / float(np.median(intervals)))

    def _describe(self) -> str:
        return self.device.describe() if self.device is not None else self._config.source

    def _trigger(self) -> None:
        due_ns = self._schedule_start_ns + self._trigger_index * self._period_ns
        now_ns = time.monotonic_ns()
        behind = (now_ns - due_ns) // self._period_ns
        if behind >= 1:
            self._trigger_index += behind
            self.missed_triggers += behind
            due_ns += behind * self._period_ns
        if due_ns > now_ns:
            time.sleep((due_ns - now_ns) / 1e9)
        self._trigger_index += 1
        try:
            self._acquirer.remote_device.node_map.TriggerSoftware.execute()
        except Exception as error:  # the device went away between frames
            raise _NoFrame(f"TriggerSoftware failed: {error}") from None

    def _fetch(self) -> Any:
        from genicam.gentl import GenericException, TimeoutException

        while True:
            try:
                buffer = self._acquirer.fetch(timeout=self._config.fetch_timeout_s)
            except TimeoutException:
                raise _NoFrame(f"no frame in {self._config.fetch_timeout_s} s") from None
            except GenericException as error:
                raise _NoFrame(str(error).splitlines()[0]) from None
            if buffer is not None:
                return buffer
            self.incomplete_buffers += 1  # Harvesters gave back a buffer it could not describe

    def _receive(self, out: np.ndarray | None) -> tuple[np.ndarray, FrameInfo]:  # type: ignore[type-arg]
        while True:
            if self._config.trigger == configure.TRIGGER_SOFTWARE:
                self._trigger()
            buffer = self._fetch()
            try:
                components = buffer.payload.components if buffer.payload is not None else []
                if not components or components[0].data is None:
                    self.incomplete_buffers += 1
                    continue
                component = components[0]
                converter = self._converter_for(component)
                if out is None:
                    out = np.empty(converter.output_shape, dtype=converter.output.dtype)
                converter.convert(component.data, out)
                raw_ns = _raw_timestamp_ns(buffer)
                info = FrameInfo(
                    camera_frame_id=int(buffer.module.frame_id),
                    device_time_ns=self._clock.unwrap(raw_ns, time.monotonic_ns()),
                )
                return out, info
            finally:
                buffer.queue()

    def _converter_for(self, component: Any) -> PixelConverter:
        genicam_format, width, height = str(component.data_format), int(component.width), int(component.height)
        current = self._converter
        if current is not None:
            if (current.genicam_format, current.width, current.height) != (genicam_format, width, height):
                raise CameraError(
                    f"camera '{self._config.name}' switched from {current.genicam_format} "
                    f"{current.width}x{current.height} to {genicam_format} {width}x{height} while recording"
                )
            return current
        self._converter = converter_for(genicam_format, width, height, self._output)
        return self._converter

    def read(self, out: np.ndarray) -> FrameInfo:  # type: ignore[type-arg]
        if self._acquirer is None:
            raise CameraError(f"camera '{self._config.name}' is not open; call open() first")
        if self._idle:
            self._idle = False
            try:
                self._acquirer.start()
            except Exception as error:  # genicam exception types carry the reason in their text
                raise CameraError(f"camera '{self._config.name}': cannot start acquisition ({error})") from None
            self._schedule_start_ns = time.monotonic_ns()
            self._trigger_index = 0
        deadline: float | None = None
        while True:
            try:
                if self._acquirer is not None:
                    _, info = self._receive(out)
                    self.lost = False
                    return info
                reason = self._reconnect_failure or "reconnecting"
            except _NoFrame as no_frame:
                reason = str(no_frame)
            now = time.monotonic()
            if deadline is None:
                deadline = now + self._config.reconnect_s
                self.lost = True
                logger.warning("camera '%s' lost (%s); reconnecting", self._config.name, reason)
            if now >= deadline:
                raise CameraError(
                    f"camera '{self._config.name}' ({self._describe()}) lost: {reason}; no frame for "
                    f"{self._config.reconnect_s} s after it was lost; check its cable and power"
                )
            self._reconnect(deadline)

    def _reconnect(self, deadline: float) -> None:
        self._release()
        try:
            self._connect()
        except Exception as error:  # any failure here means "not back yet" until the deadline
            self._reconnect_failure = str(error).splitlines()[0] if str(error) else type(error).__name__
            logger.info("camera '%s' not back yet: %s", self._config.name, self._reconnect_failure)
            self._release()
            time.sleep(max(0.0, min(_RETRY_PAUSE_S, deadline - time.monotonic())))
            return
        self._reconnect_failure = ""
        self.reconnects += 1

    def _node_map(self) -> Any:
        if self._acquirer is None:
            raise CameraError(f"camera '{self._config.name}' is not open; call open() first")
        return self._acquirer.remote_device.node_map

    def get_node(self, name: str) -> nodes.Value:
        """A feature's current value on the open camera, for status and checks."""
        return nodes.read_named(self._node_map(), name)

    def set_node(self, name: str, value: object) -> nodes.Value | None:
        """Changes a feature on the open camera (exposure, gain, ...) while it records."""
        return nodes.write_named(self._node_map(), name, value)

    def _release(self) -> None:
        acquirer, harvester = self._acquirer, self._harvester
        self._acquirer = None
        self._harvester = None
        if acquirer is not None:
            try:
                acquirer.stop()
            except Exception as error:  # a lost device cannot always be stopped cleanly
                logger.debug("stopping acquisition failed: %s", error)
            acquirer.destroy()
        if harvester is not None:
            harvester.reset()

    def close(self) -> None:
        self._idle = False
        self._release()


def _raw_timestamp_ns(buffer: Any) -> int:
    """The buffer's device time in ns, or -1 when the producer does not timestamp buffers."""
    try:
        return int(buffer.module.timestamp_ns)
    except Exception:  # NotAvailable / NotImplemented from the producer
        return -1


class _IncompleteCounter:
    """Harvesters re-queues incomplete buffers inside fetch(); this hears of each one."""

    def __init__(self, camera: GenICamCamera) -> None:
        self._camera = camera

    def emit(self, context: object | None = None) -> None:
        self._camera.incomplete_buffers += 1
