"""Type checks for the fields of one observation line: anything the writer cannot have written is refused.

`Malformed` carries the name of the offending field; the reader turns it into a refused record.
JSON values are bounded in depth (checked without recursion) and their strings are cut.
"""
from __future__ import annotations

from typing import Any

from grader.record_format import MAX_DEPTH, StudentError

# deeper JSON values than MAX_DEPTH are refused (the writer replaces deeper values by a description)
#: strings inside values and meta are cut to this many characters
MAX_TEXT = 2000
MAX_KEY_LEN = 200
MAX_NAMES = 50


class Malformed(Exception):
    """A field the writer cannot have written (wrong type, too deep)."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def integer(entry: dict, name: str) -> int:
    value = entry.get(name)
    if type(value) is not int:  # bool is an int subclass, and never a sequence number
        raise Malformed(name)
    return value


def text(entry: dict, name: str, limit: int = MAX_TEXT, default: str | None = None) -> str:
    value = entry.get(name, default)
    if not isinstance(value, str):
        raise Malformed(name)
    return value[:limit]


def text_list(entry: dict, name: str, limit: int = 200, count: int = MAX_NAMES) -> tuple[str, ...]:
    values = entry.get(name, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise Malformed(name)
    return tuple(v[:limit] for v in values[:count])


def json_value(value: Any, field: str) -> Any:
    """`value` with its strings cut to MAX_TEXT; Malformed when nested deeper than MAX_DEPTH."""
    # iterative, so neither a deep value nor a wide one can exhaust the stack
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 0)]
    while stack:
        item, parent, slot, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Malformed(field)
        if isinstance(item, str):
            parent[slot] = item[:MAX_TEXT]
        elif isinstance(item, list):
            copy: list[Any] = [None] * len(item)
            parent[slot] = copy
            stack.extend((child, copy, i, depth + 1) for i, child in enumerate(item))
        elif isinstance(item, dict):
            copied: dict[str, Any] = {}
            parent[slot] = copied
            for key, child in item.items():
                copied[key[:MAX_TEXT]] = None
                stack.append((child, copied, key[:MAX_TEXT], depth + 1))
        elif item is None or isinstance(item, (bool, int, float)):
            parent[slot] = item
        else:
            raise Malformed(field)
    return root[0]


def meta(entry: dict) -> dict[str, Any]:
    value = entry.get("meta", {})
    if not isinstance(value, dict):
        raise Malformed("meta")
    return json_value(value, "meta")


def student_error(data: Any) -> StudentError | None:
    """The `error` field: absent, or exactly the fields `StudentError` has with their types."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise Malformed("error")
    timeout = data.get("timeout", False)
    if not isinstance(timeout, bool):
        raise Malformed("error.timeout")
    return StudentError(
        type=text(data, "type", 100, default="Error"),
        message=text(data, "message", MAX_TEXT, default=""),
        where=text_list(data, "where", 300, 5),
        timeout=timeout,
    )
