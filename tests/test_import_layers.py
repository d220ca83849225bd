"""The package's imports flow one way; a single upward import or cycle fails here, not in review.

Every module is parsed with ``ast`` (never imported, so a lazy import inside a function counts the
same as one at the top), relative imports are resolved, and the resulting graph is checked twice:
no cycle at any folder depth, and no import from a lower layer into a higher one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import camera_daemon

PACKAGE = "camera_daemon"
ROOT = Path(camera_daemon.__file__).parent

# Lowest first. A module may import only from its own layer or a layer listed before it.
LAYERS: dict[str, int] = {
    "errors": 0,  # error types every layer raises; imports nothing of ours
    "safe_write": 0,  # atomic file writes, shared by every writer
    "threads": 0,  # OpenMP/BLAS/OpenCV thread limits for every batch worker (post and curate pools)
    "redact": 0,  # passwords masked out of anything printed or written
    "noise": 0,  # third-party libraries' own output, into a log unless -v
    "choices": 0,  # value lists help text shows (codecs, table formats), free of heavy imports
    "json_output": 0,  # the one JSON object a command prints with --json
    "cli_options": 0,  # options several commands share
    "config": 1,  # the session config schema and its TOML load
    "config_toml": 1,  # a config written back as TOML
    "gentl": 2,  # GenTL producers, devices, nodes and device clocks, through harvesters; knows no camera config
    "cameras": 3,  # frame sources, one backend per file; the GenICam one drives gentl
    "encoding": 4,  # the ffmpeg argv, the encoder process, probes
    "timing": 4,  # timestamps: the logger process, journal, per-camera tables
    "tap": 4,  # the per-camera shared-memory slot holding the latest downscaled frame
    "session": 5,  # the session folder, manifest, lock, recovery, config from options
    "post": 6,  # align, dedupe, trim, stitch over finished files; no recorder code, so the daemon can run it at stop
    "curate": 7,  # extract, cluster, annotate, package: finished sessions into datasets, on top of post
    "analysis": 6,  # callbacks fed from the tap, their result tables, stamping (which the worker calls)
    "web": 6,  # preview page and HTTP API over the taps; its host passes status and actions in as callables
    "qc": 6,  # quality-control verdicts over finished files, run at stop like post
    "nwb": 6,  # NWB export of a finished session
    "daemon": 7,  # supervisor, workers, control socket, status tables: cameras into encoding/timing/session
    "recording": 8,  # one foreground recording from config to post stage
    "preflight": 8,  # checks before a session: cameras, encoders, disk, and a short trial recording
    "cli": 9,  # the `camd` command line, on top of everything
    "cli_help": 9,  # how `camd --help` reads: flag types, exit-code epilog
    "api": 9,  # the Python API `import camera_daemon` exposes: record, start/stop/status, Session
    "entry": 10,  # the `camd` entry point: status with the standard library, the rest through cli
    "__main__": 11,  # `python -m camera_daemon`
}


def module_name(path: Path, root: Path, package: str) -> str:
    """Dotted name of a source file, with ``__init__`` standing for its package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([package, *parts])


def imported_names(tree: ast.Module, module: str, is_package: bool) -> Iterable[str]:
    """Absolute names each import statement may reach, relative ones resolved against ``module``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            for alias in node.names:
                yield f"{stem}.{alias.name}"


def build_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Module -> modules of the package it imports (a name that is no module maps to its longest module prefix)."""
    files = {module_name(p, root, package): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        targets: set[str] = set()
        for imported in imported_names(tree, name, path.name == "__init__.py"):
            if not imported.startswith(package):
                continue
            parts = imported.split(".")
            while parts and ".".join(parts) not in files:
                parts.pop()
            target = ".".join(parts)
            if target and target != name and target != package:
                targets.add(target)
        graph[name] = targets
    return graph


def collapse(graph: Mapping[str, set[str]], depth: int) -> dict[str, set[str]]:
    """The graph seen ``depth`` dotted parts deep: modules merge into their folder, self-edges drop."""
    out: dict[str, set[str]] = {}
    for src, targets in graph.items():
        head = ".".join(src.split(".")[:depth])
        out.setdefault(head, set())
        for dst in targets:
            tail = ".".join(dst.split(".")[:depth])
            if tail != head:
                out[head].add(tail)
                out.setdefault(tail, set())
    return out


def find_cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component bigger than one node (Tarjan), sorted for stable output."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def all_cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Cycles at every folder depth, so two folders importing each other fail even without a module cycle."""
    deepest = max((len(name.split(".")) for name in graph), default=1)
    found: list[list[str]] = []
    for depth in range(2, deepest + 1):
        for cycle in find_cycles(collapse(graph, depth)):
            if cycle not in found:
                found.append(cycle)
    return found


def upward_imports(graph: Mapping[str, set[str]], layers: Mapping[str, int], package: str) -> list[str]:
    """Each import from a lower layer into a higher one, and each top-level name with no declared layer."""
    problems: list[str] = []

    def layer_of(module: str) -> str:
        return module.removeprefix(package + ".").split(".")[0]

    for src in sorted(graph):
        if src == package:
            continue
        if layer_of(src) not in layers:
            problems.append(f"{src}: no layer declared for {layer_of(src)!r}")
            continue
        for dst in sorted(graph[src]):
            if layer_of(dst) in layers and layers[layer_of(dst)] > layers[layer_of(src)]:
                problems.append(f"{src} imports {dst}, a higher layer")
    return problems


def test_package_has_no_import_cycle() -> None:
    assert all_cycles(build_graph(ROOT, PACKAGE)) == []


def test_package_imports_only_downward() -> None:
    assert upward_imports(build_graph(ROOT, PACKAGE), LAYERS, PACKAGE) == []


def test_checker_reports_a_cycle_and_an_upward_import(tmp_path: Path) -> None:
    """A checker that never fails proves nothing: feed it a package with both faults, lazy and relative."""
    pkg = tmp_path / "pkg"
    for folder in ("low", "high"):
        (pkg / folder).mkdir(parents=True)
        (pkg / folder / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "low" / "a.py").write_text("def f() -> None:\n    from pkg.high import b\n")
    (pkg / "high" / "b.py").write_text("from ..low.a import f\n")
    graph = build_graph(pkg, "pkg")
    assert graph["pkg.low.a"] == {"pkg.high.b"}
    assert graph["pkg.high.b"] == {"pkg.low.a"}
    assert ["pkg.high", "pkg.low"] in all_cycles(graph)
    assert upward_imports(graph, {"low": 0, "high": 1}, "pkg") == ["pkg.low.a imports pkg.high.b, a higher layer"]


def test_checker_reports_folder_cycle_without_module_cycle() -> None:
    graph = {"p.x.one": {"p.y.two"}, "p.y.two": set(), "p.y.three": {"p.x.four"}, "p.x.four": set()}
    assert find_cycles(graph) == []
    assert all_cycles(graph) == [["p.x", "p.y"]]
