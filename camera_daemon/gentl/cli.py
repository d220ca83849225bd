"""`camd cti ...`, `camd genicam ...` and `camd devices`: setting up GenICam cameras before recording.

Failures raise CamdError subclasses; the main command turns them into one line and an exit code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from camera_daemon.errors import ConfigError
from camera_daemon.gentl import nodes, producers, settings
from camera_daemon.gentl.devices import harvester_for, list_entries, opened_device
from camera_daemon.json_output import JsonFlag, print_json

cti_app = typer.Typer(help="Choose the GenTL producers (.cti files) that GenICam cameras are reached through.")
genicam_app = typer.Typer(help="Read, write, save and restore a GenICam camera's features.")

SelectorArgument = Annotated[str, typer.Argument(help="serial:X, model:X, name:X, index:N, or a bare serial")]


@cti_app.command("set")
def cti_set(
    paths: Annotated[list[Path], typer.Argument(help="One or more .cti files.")],
    append: Annotated[bool, typer.Option("--append", help="Add to the stored list instead of replacing it.")] = False,
) -> None:
    """Remember the producers for this user (CAMD_CTI, when set, still takes precedence)."""
    current = list(producers.read_store()) if append else []
    stored = producers.write_store(current + list(paths))
    for path in producers.read_store():
        typer.echo(str(path))
    typer.echo(f"saved in {stored}")


@cti_app.command("show")
def cti_show(json_output: JsonFlag = False) -> None:
    """Print the producers in use, where that list comes from, and whether each file exists."""
    listed = producers.configured_producers()
    if json_output:
        paths = [{"path": str(path), "exists": path.is_file()} for path in listed.paths]
        print_json({"origin": listed.origin, "producers": paths, "user_file": str(producers.store_path())})
        return
    typer.echo(f"from: {listed.origin}")
    for path in listed.paths:
        typer.echo(f"{path}{'' if path.is_file() else '  (missing)'}")
    typer.echo(f"user file: {producers.store_path()}")


def _load_producer(path: Path) -> str:
    """Opens the library the way GenTL does, to report why a producer does not load."""
    from genicam.gentl import GenTLProducer

    producer = GenTLProducer.create_producer()
    try:
        producer.open(str(path))
    except Exception as error:  # LoadLibraryException and friends carry the loader's reason
        return str(error).splitlines()[0]
    producer.close()
    return ""


@cti_app.command("check")
def cti_check(json_output: JsonFlag = False) -> None:
    """Load each producer and list its devices; fails when none loads."""
    paths = producers.configured_producers().paths
    if not paths:
        producers.require_producers()  # raises the how-to-configure message
    loaded = 0
    checked: list[dict[str, Any]] = []
    for path in paths:
        problem = _load_producer(path) if path.is_file() else "no such file"
        if problem:
            checked.append({"path": str(path), "ok": False, "error": problem, "devices": []})
            if not json_output:
                typer.echo(f"FAILED {path}: {problem}")
            continue
        loaded += 1
        with harvester_for([path]) as harvester:
            entries = list_entries(harvester)
        checked.append({"path": str(path), "ok": True, "error": None, "devices": [e.as_dict() for e in entries]})
        if not json_output:
            typer.echo(f"ok     {path}: {len(entries)} device(s)")
            for entry in entries:
                typer.echo(f"         {entry.describe()}")
    if json_output:
        print_json({"producers": checked, "loaded": loaded})
    if not loaded:
        raise ConfigError(f"none of the {len(paths)} configured producer(s) loads; run `camd cti set PATH`")


def devices(json_output: bool = typer.Option(False, "--json", help="Print JSON instead of text.")) -> None:
    """List OpenCV camera indices and GenICam devices with their size and pixel formats."""
    from camera_daemon.gentl.discovery import genicam_devices, opencv_devices

    listed = producers.configured_producers()
    genicam = genicam_devices(producers.require_loadable(listed)) if listed.paths else []
    opencv = opencv_devices()
    if json_output:
        typer.echo(json.dumps({"opencv": opencv, "genicam": genicam}, indent=2))
        return
    typer.echo(f"OpenCV: {len(opencv)} device(s)")
    for row in opencv:
        typer.echo(f"  opencv:{row['index']}  {row['backend']} {row['width']}x{row['height']} @ {row['fps']:g} fps")
    typer.echo(f"GenICam: {len(genicam)} device(s) (producers from {listed.origin})")
    for row in genicam:
        text = f"  [{row['index']}] {row['vendor']} {row['model']} serial:{row['serial']} ({row['tl_type']})"
        if row["error"]:
            typer.echo(f"{text}  unavailable: {row['error']}")
        else:
            formats = ", ".join(row["pixel_formats"])
            typer.echo(f"{text} {row['width']}x{row['height']} {row['pixel_format']} [{formats}]")


def _parse_assignment(text: str) -> tuple[str, str]:
    name, separator, value = text.partition("=")
    if not separator or not name.strip():
        raise ConfigError(f"'{text}' is not NODE=VALUE, e.g. ExposureTime=5000")
    return name.strip(), value.strip()


@genicam_app.command("read")
def genicam_read(
    selector: SelectorArgument,
    names: Annotated[list[str], typer.Argument(help="Feature names, e.g. Width PixelFormat.")],
    json_output: JsonFlag = False,
) -> None:
    """Print features of one camera."""
    with opened_device(producers.require_producers(), selector) as (_, acquirer):
        node_map = acquirer.remote_device.node_map
        values = {name: nodes.read_named(node_map, name) for name in names}
    if json_output:
        typer.echo(json.dumps(values))
        return
    for name, value in values.items():
        typer.echo(f"{name} = {value}")


@genicam_app.command("write")
def genicam_write(
    selector: SelectorArgument,
    assignments: Annotated[list[str], typer.Argument(help="NODE=VALUE pairs, applied in order.")],
    json_output: JsonFlag = False,
) -> None:
    """Set features of one camera and print what it reads back. Settings last while the camera
    keeps power; use `dump`/`load` or a session file's nodes to make them repeatable."""
    parsed = [_parse_assignment(text) for text in assignments]
    with opened_device(producers.require_producers(), selector) as (_, acquirer):
        node_map = acquirer.remote_device.node_map
        written = {name: nodes.write_named(node_map, name, value) for name, value in parsed}
    if json_output:
        print_json({"selector": selector, "written": written})
        return
    for name, value in written.items():
        typer.echo(f"{name} = {value}")


@genicam_app.command("dump")
def genicam_dump(
    selector: SelectorArgument,
    file: Annotated[Path, typer.Argument(help="Where to save: a .json or .toml file.")],
    json_output: JsonFlag = False,
) -> None:
    """Save every readable feature, with the camera's model and serial, to a file."""
    with opened_device(producers.require_producers(), selector) as (entry, acquirer):
        count = settings.dump(acquirer.remote_device.node_map, entry, file)
    if json_output:
        print_json({"file": str(file), "features": count, "camera": entry.as_dict()})
        return
    typer.echo(f"saved {count} features of {entry.describe()} to {file}")


@genicam_app.command("load")
def genicam_load(
    selector: SelectorArgument,
    file: Annotated[Path, typer.Argument(help="A file written by `camd genicam dump`.")],
    force: Annotated[bool, typer.Option("--force", help="Load even if model or serial differ.")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Write a saved file's features back to a camera; refuses another camera unless --force."""
    camera, features = settings.parse(file)
    with opened_device(producers.require_producers(), selector) as (entry, acquirer):
        if not force:
            settings.check_camera(file, camera, entry)
        report = settings.apply(acquirer.remote_device.node_map, features)
    if json_output:
        written, skipped = list(report.written), list(report.skipped)
        print_json({"file": str(file), "camera": entry.as_dict(), "written": written, "skipped": skipped})
        return
    typer.echo(f"wrote {len(report.written)} feature(s) to {entry.describe()}")
    if report.skipped:
        typer.echo(f"left as they are (read-only on this camera): {', '.join(report.skipped)}")
