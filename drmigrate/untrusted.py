"""Untrusted JSON: parsed within limits, then checked against a shape before anything reads it.

Reports given to `report merge`, baselines and result-cache entries are files anyone could have
written. Python's `json` turns a deeply nested document into a RecursionError, an integer of
more than 4,300 digits into a ValueError, and a field of the wrong type is a TypeError wherever
it is first used. Here a document is parsed with those errors caught, then checked against a
shape, and the parts no shape describes (keys a newer drmigrate added) are measured for depth
without recursion; so every fault is one `UntrustedError` that says where (``findings[3].line`
must be an integer, not a string``), and what passes can be read and written again safely.

A shape is a small declarative schema, checked in one walk over the value (jsonschema costs
seconds on a report of 100,000 findings):

- `str`, `int`, `bool`, `float` (any number), `None` (null), `object` (anything);
- a tuple of shapes: any one of them;
- `List(shape, most)`: a list of at most `most` items of `shape`;
- `Obj({key: shape}, required=...)`: an object whose listed keys have their shapes (keys not
  listed pass through: newer drmigrates add keys);
- `Map(shape)`: an object of any keys whose values have `shape`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 64
INT_LIMIT = 1 << 63  # counts, lines, columns: anything larger is not one


class UntrustedError(Exception):
    """A document that is not what it claims to be; the message says where."""


def loads(text: str) -> Any:
    """`json.loads` that never raises anything but UntrustedError (with the reason): invalid
    JSON, an integer over Python's digit limit, nesting deeper than the parser goes."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UntrustedError(f"invalid JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise UntrustedError("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # an integer of more than 4,300 digits, ...
        raise UntrustedError(f"invalid JSON: {str(exc).split(';')[0]}") from None


def within(value: Any, levels: int) -> bool:
    """Whether `value` nests no more than `levels` lists and objects deep (walked without
    recursion, so any depth the parser built is measured safely)."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if level > levels:
            return False
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return True


@dataclass(frozen=True)
class List:
    item: Any
    most: int = 10_000_000


@dataclass(frozen=True)
class Obj:
    keys: Mapping[str, Any]
    required: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Map:
    value: Any
    most: int = 1_000_000


_NAMES = {str: "a string", int: "an integer", bool: "true or false", float: "a number", None: "null",
          list: "a list", dict: "an object"}


def _name(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def _wanted(shape: Any) -> str:
    if isinstance(shape, tuple):
        return " or ".join(_wanted(s) for s in shape)
    if isinstance(shape, List):
        return "a list"
    if isinstance(shape, (Obj, Map)):
        return "an object"
    return _NAMES.get(shape, str(shape))


def _fits(value: Any, shape: Any) -> bool:
    """Whether `value` is of `shape`'s kind (not its contents)."""
    if shape is object:
        return True
    if shape is None:
        return value is None
    if shape is bool:
        return isinstance(value, bool)
    if shape is int:
        return isinstance(value, int) and not isinstance(value, bool) and -INT_LIMIT <= value < INT_LIMIT
    if shape is float:
        return (isinstance(value, (int, float)) and not isinstance(value, bool)
                and (not isinstance(value, int) or -INT_LIMIT <= value < INT_LIMIT))
    if shape is str:
        return isinstance(value, str)
    if isinstance(shape, List):
        return isinstance(value, list) and len(value) <= shape.most
    if isinstance(shape, Map):
        return isinstance(value, dict) and len(value) <= shape.most
    if isinstance(shape, Obj):
        return isinstance(value, dict)
    raise TypeError(f"not a shape: {shape!r}")  # pragma: no cover - a programming error


def check(value: Any, shape: Any, where: str = "", level: int = 0) -> None:
    """Raise UntrustedError naming the first place where `value` does not have `shape`. Parts the
    shape does not describe (`object`, keys an `Obj` does not list) may nest at most `MAX_DEPTH`
    levels in all: whatever reads or writes them again stays within any recursion limit."""
    if isinstance(shape, tuple):
        for option in shape:
            if _fits(value, option):
                check(value, option, where, level)
                return
        raise UntrustedError(f"`{where or 'the document'}` must be {_wanted(shape)}, not {_name(value)}")
    if not _fits(value, shape):
        if isinstance(shape, (List, Map)) and isinstance(value, (list, dict)):
            raise UntrustedError(f"`{where or 'the document'}` has too many entries")
        raise UntrustedError(f"`{where or 'the document'}` must be {_wanted(shape)}, not {_name(value)}")
    if shape is object:
        _shallow(value, MAX_DEPTH - level, where)
    elif isinstance(shape, List) and not _scalar(shape.item):
        for i, item in enumerate(value):
            check(item, shape.item, f"{where}[{i}]", level + 1)
    elif isinstance(shape, List):
        for i, item in enumerate(value):
            if not _fits(item, shape.item):
                check(item, shape.item, f"{where}[{i}]", level + 1)
            elif shape.item is object:
                _shallow(item, MAX_DEPTH - level - 1, f"{where}[{i}]")
    elif isinstance(shape, Map):
        for key, item in value.items():
            check(item, shape.value, f"{where}.{key}" if where else str(key), level + 1)
    elif isinstance(shape, Obj):
        for key in shape.required:
            if key not in value:
                raise UntrustedError(f"`{where or 'the document'}` has no `{key}`")
        for key, item in value.items():
            sub = shape.keys.get(key, object)
            check(item, sub, f"{where}.{key}" if where else key, level + 1)


def _shallow(value: Any, levels: int, where: str) -> None:
    if isinstance(value, (dict, list)) and not within(value, levels):
        raise UntrustedError(f"`{where or 'the document'}` is nested more than {MAX_DEPTH} levels deep")


def _scalar(shape: Any) -> bool:
    return shape in (str, int, bool, float, None, object)
