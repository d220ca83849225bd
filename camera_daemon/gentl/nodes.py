"""Reading and writing GenICam features by name, with values typed the way the camera declares them.

Values come from TOML files and command lines as text, numbers or booleans; each is converted to
the feature's own type first, so ``Width=640`` and ``Width="640"`` mean the same and a wrong type
is reported with the feature's name instead of a GenApi stack dump.
"""

from __future__ import annotations

from typing import Any

from genicam import genapi

from camera_daemon.errors import CameraError

Value = int | float | bool | str

# GenApi's EAccessMode and EVisibility values, named here because the bindings only expose ints.
_READ_ONLY, _READ_WRITE = 3, 4
_INVISIBLE = 3
# Set by the acquisition machinery itself; writing it from a settings file would lock the camera.
_MANAGED = frozenset({"TLParamsLocked"})


def find(node_map: Any, name: str) -> Any | None:
    """The feature, or None when this camera has no such node."""
    try:
        return node_map.get_node(name)
    except genapi.LogicalErrorException:
        return None


def require(node_map: Any, name: str) -> Any:
    node = find(node_map, name)
    if node is None:
        raise CameraError(f"the camera has no feature '{name}'; `camd genicam dump` lists the ones it has")
    return node


def _access(node: Any) -> int:
    return int(node.node.get_access_mode())


def is_readable(node: Any) -> bool:
    return _access(node) in (_READ_ONLY, _READ_WRITE)


def is_writable(node: Any) -> bool:
    return _access(node) == _READ_WRITE


def read(node: Any) -> Value:
    if isinstance(node, genapi.IEnumeration):
        return str(node.value)
    if isinstance(node, genapi.IBoolean):
        return bool(node.value)
    if isinstance(node, genapi.IInteger):
        return int(node.value)
    if isinstance(node, genapi.IFloat):
        return float(node.value)
    if isinstance(node, genapi.IString):
        return str(node.value)
    raise CameraError(f"feature '{node.node.name}' is a {type(node).__name__}, which has no value to read")


def read_named(node_map: Any, name: str) -> Value:
    node = require(node_map, name)
    if not is_readable(node):
        raise CameraError(f"feature '{name}' cannot be read now (it may depend on another setting)")
    value: Value = _guarded(name, lambda: read(node))
    return value


def _as_bool(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "on", "yes"):
        return True
    if text in ("0", "false", "off", "no"):
        return False
    raise CameraError(f"feature '{name}' is a boolean; give true or false, not '{value}'")


def _as_number(name: str, value: object, kind: type[int] | type[float]) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return kind(value)
    if isinstance(value, str):
        try:
            return kind(value.strip())
        except ValueError:
            pass
    raise CameraError(f"feature '{name}' takes {'an integer' if kind is int else 'a number'}, not '{value}'")


def _guarded(name: str, action: Any) -> Any:
    """GenApi errors carry a multi-line C++ message; keep the first sentence and the feature name."""
    try:
        return action()
    except (genapi.GenericException, AttributeError) as error:
        detail = str(error).split(" : ")[0].splitlines()[0]
        raise CameraError(f"feature '{name}': {detail}") from None


def write(node: Any, value: object) -> Value | None:
    """Writes ``value`` converted to the feature's type; returns what the camera reads back.

    A command executes when the value is true (``TriggerSoftware=1``) and reads back as None.
    """
    name = str(node.node.name)
    if not is_writable(node):
        raise CameraError(f"feature '{name}' is not writable now (read-only, or locked while acquiring)")
    if isinstance(node, genapi.ICommand):
        if _as_bool(name, value):
            _guarded(name, node.execute)
        return None
    converted: Value
    if isinstance(node, genapi.IEnumeration):
        converted = str(value)
        if converted not in node.symbolics:
            raise CameraError(f"feature '{name}' has no entry '{converted}'; use one of {', '.join(node.symbolics)}")
    elif isinstance(node, genapi.IBoolean):
        converted = _as_bool(name, value)
    elif isinstance(node, genapi.IInteger):
        converted = int(_as_number(name, value, int))
    elif isinstance(node, genapi.IFloat):
        converted = float(_as_number(name, value, float))
    elif isinstance(node, genapi.IString):
        converted = str(value)
    else:
        raise CameraError(f"feature '{name}' is a {type(node).__name__}; only values and commands can be set")

    def assign() -> None:
        node.value = converted

    _guarded(name, assign)
    return _guarded(name, lambda: read(node)) if is_readable(node) else None


def write_named(node_map: Any, name: str, value: object) -> Value | None:
    return write(require(node_map, name), value)


def readable_features(node_map: Any) -> dict[str, Value]:
    """Every public value feature that can be read now, in the camera's own order.

    Invisible features are internal plumbing of the camera description; categories, commands
    and raw registers hold no setting.
    """
    values: dict[str, Value] = {}
    value_types = (genapi.IInteger, genapi.IFloat, genapi.IBoolean, genapi.IString, genapi.IEnumeration)
    for node in node_map.nodes:
        if not isinstance(node, value_types):
            continue
        base = node.node
        if not base.is_feature() or int(base.visibility) >= _INVISIBLE or base.name in _MANAGED:
            continue
        if not is_readable(node):
            continue
        try:
            values[str(base.name)] = read(node)
        except genapi.GenericException:
            continue
    return values
