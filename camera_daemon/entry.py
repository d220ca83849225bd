"""The ``camd`` entry point: answers ``camd status`` with the standard library, the rest with cli.py.

The full command line (typer, pydantic, rich, importlib.metadata) takes ~300 ms to import, and a
status poll needs none of it: a socket, a JSON line and a table. The runtime folder's safety
checks (owner, mode, SO_PEERCRED) are the same code the full command runs, imported from
daemon/runtime.py and daemon/protocol.py, which import nothing heavy. Anything this parser does not
recognise, ``--help`` included, goes to the full command line, which also owns every usage error.
Every process the recorder spawns imports this module first, so it must stay this small.
"""

from __future__ import annotations

import sys


def _status_options(args: list[str]) -> tuple[str, bool] | None:
    """(daemon name, --json) for a plain ``status`` call, or None for the full parser."""
    if not args or args[0] != "status":
        return None
    name, as_json = "default", False
    rest = iter(args[1:])
    for arg in rest:
        if arg == "--json":
            as_json = True
        elif arg in ("--name", "-n"):
            value = next(rest, None)
            if value is None or value.startswith("-"):
                return None
            name = value
        elif arg.startswith("--name="):
            name = arg.removeprefix("--name=")
        else:
            return None
    return name, as_json


def _quick_status(name: str, as_json: bool) -> int:
    import json

    from camera_daemon.daemon.protocol import request
    from camera_daemon.daemon.runtime import DaemonPaths
    from camera_daemon.daemon.status_text import render_status
    from camera_daemon.errors import CamdError

    try:
        reply = request(DaemonPaths(name).socket, "status", 10.0)
        if not reply.get("ok"):
            raise CamdError(f"daemon '{name}' refused 'status': {reply.get('error')}")
    except CamdError as error:  # the same one line as cli.main() writes, control characters escaped
        from camera_daemon.redact import redact

        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in redact(str(error)))
        sys.stderr.write(f"camd: error: {text}\n")
        return error.exit_code
    reply.pop("ok", None)
    reply.pop("v", None)
    if as_json:
        sys.stdout.write(json.dumps(reply) + "\n")
        return 0
    drawn = render_status(reply, sys.stdout.isatty())
    if drawn is None:  # a case only rich draws right: let it
        from camera_daemon.daemon.commands import print_status

        print_status(reply)
    else:
        sys.stdout.write(drawn)
    return 0


def main() -> None:
    options = _status_options(sys.argv[1:])
    if options is not None:
        sys.stdout.flush()
        sys.exit(_quick_status(*options))
    from camera_daemon.cli import main as full_main

    try:
        full_main()
    except SystemExit as ending:
        from camera_daemon.daemon.fast_exit import exit_if_armed

        exit_if_armed(ending)  # a finished recording skips the interpreter's teardown
        raise
