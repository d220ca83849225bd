"""Finding one GenICam device among all the producers offer, by a selector a user can write.

A selector is ``serial:X``, ``model:X``, ``name:X`` (the user-defined name), ``index:N`` or a bare
string tried as each of those in that order. Serial numbers are the stable choice: indices follow
enumeration order, which changes when a camera is unplugged or a producer is added.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from camera_daemon.errors import CameraError

logger = logging.getLogger(__name__)

_PREFIXES = ("serial", "model", "name", "index")


@dataclass(frozen=True, slots=True)
class DeviceEntry:
    """What the transport layer tells about a device without opening it."""

    index: int
    vendor: str
    model: str
    serial: str
    user_name: str
    tl_type: str
    interface: str
    producer: str

    def describe(self) -> str:
        name = f", name '{self.user_name}'" if self.user_name else ""
        return f"[{self.index}] {self.vendor} {self.model} serial '{self.serial}'{name}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _text(source: Any, attribute: str) -> str:
    """Device info fields a producer does not fill raise instead of returning empty."""
    try:
        value = getattr(source, attribute)
    except Exception:  # genicam raises its own NotAvailable/NotImplemented types here
        return ""
    return "" if value is None else str(value)


def _entry(index: int, info: Any) -> DeviceEntry:
    interface = info.parent
    return DeviceEntry(
        index=index,
        vendor=_text(info, "vendor"),
        model=_text(info, "model"),
        serial=_text(info, "serial_number"),
        user_name=_text(info, "user_defined_name"),
        tl_type=_text(info, "tl_type"),
        interface=_text(interface.module, "id_"),
        producer=_text(interface.parent.parent.module, "path_name"),
    )


@contextmanager
def harvester_for(producers: Sequence[Path]) -> Iterator[Any]:
    """A Harvester with the producers loaded and the device list read; released on exit."""
    from harvesters.core import Harvester

    harvester = Harvester()
    try:
        for path in producers:
            harvester.add_file(str(path))
        harvester.update()
        yield harvester
    finally:
        harvester.reset()


def list_entries(harvester: Any) -> list[DeviceEntry]:
    return [_entry(index, info) for index, info in enumerate(harvester.device_info_list)]


def _matches(entries: Sequence[DeviceEntry], kind: str, value: str) -> list[DeviceEntry]:
    if kind == "serial":
        return [entry for entry in entries if entry.serial == value]
    if kind == "model":
        return [entry for entry in entries if entry.model == value]
    if kind == "name":
        return [entry for entry in entries if entry.user_name == value]
    if value.strip().isdigit():
        return [entry for entry in entries if entry.index == int(value)]
    raise CameraError(f"index selector 'index:{value}' needs a number, e.g. index:0")


def _listing(entries: Sequence[DeviceEntry]) -> str:
    return "; ".join(entry.describe() for entry in entries) or "none (check `camd cti check`)"


def _one(found: list[DeviceEntry], selector: str) -> DeviceEntry:
    if len(found) > 1:
        raise CameraError(
            f"selector '{selector}' matches {len(found)} devices ({_listing(found)}); pick one with serial:SERIAL"
        )
    return found[0]


def select_entry(entries: Sequence[DeviceEntry], selector: str) -> DeviceEntry:
    """The one device a selector names; an error listing what is available otherwise."""
    kind, separator, value = selector.partition(":")
    if separator and kind in _PREFIXES:
        found = _matches(entries, kind, value)
        if found:
            return _one(found, selector)
    else:
        for kind in _PREFIXES:
            if kind == "index" and not selector.strip().isdigit():
                continue
            found = _matches(entries, kind, selector)
            if found:
                return _one(found, selector)
    raise CameraError(f"no GenICam device matches '{selector}'; available: {_listing(entries)}")


def open_acquirer(harvester: Any, entry: DeviceEntry) -> Any:
    """Opens the device exclusively; a busy or vanished device becomes a CameraError.

    Harvesters installs its own SIGINT handler when an acquirer is made in the main thread, one
    that destroys the acquirer and swallows Ctrl-C; the caller's handler is put back so that
    stopping a recording keeps working the way the daemon defines it.
    """
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGINT) if in_main_thread else None
    try:
        return harvester.create(harvester.device_info_list[entry.index])
    except Exception as error:  # genicam's exception types share no base with a useful name
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CameraError(f"cannot open {entry.describe()}: {message}; is another program using it?") from None
    finally:
        if in_main_thread and previous is not None:
            signal.signal(signal.SIGINT, previous)


@contextmanager
def opened_device(producers: Sequence[Path], selector: str) -> Iterator[tuple[DeviceEntry, Any]]:
    """One device opened for node access (no acquisition), for the command-line tools."""
    with harvester_for(producers) as harvester:
        entry = select_entry(list_entries(harvester), selector)
        acquirer = open_acquirer(harvester, entry)
        try:
            yield entry, acquirer
        finally:
            acquirer.destroy()
