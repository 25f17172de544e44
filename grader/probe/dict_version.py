"""Has this namespace changed since we last looked? Answered without touching any of its values.

CPython stamps a dict with a fresh number from a process-wide counter on every change to it (the
version tag of PEP 509, `ma_version_tag`: set, delete, pop, clear, update, ...). Reading that number
tells the integrity guard that a module's or a class's namespace is untouched in a few nanoseconds,
where comparing every entry would take a reference to each value: in a child forked from the warm
zygote, writing those reference counts copies every page that holds one (about 11 ms per run for the
~7,800 entries the guard watches, docs/performance.md).

The tag is not part of Python's public API, so `available()` first proves on this interpreter that the
field is where we read it and changes on every kind of change; if not (another implementation, a
version that stopped updating it) it says so and the guard compares entry by entry, as before.
A submission could write the tag back through ctypes, but with ctypes it could as well rewrite the
guard's snapshot: docs/security.md names that limit.
"""
from __future__ import annotations

import ctypes
import gc
import sys
import types
from functools import lru_cache
from typing import Any, Callable

#: where the tag sits: after the object header and the entry count (Py_ssize_t ma_used)
_USED_OFFSET = object.__basicsize__
_TAG_OFFSET = _USED_OFFSET + ctypes.sizeof(ctypes.c_ssize_t)


def tag_cell(namespace: dict[str, Any]) -> ctypes.c_uint64:
    """A live view of the dict's version tag: `.value` is the current tag (keep the dict alive meanwhile)."""
    return ctypes.c_uint64.from_address(id(namespace) + _TAG_OFFSET)


def underlying_dict(namespace: Any) -> dict[str, Any]:
    """The dict behind `vars(x)`: a module's own dict, or the one a class's read-only mappingproxy wraps."""
    if isinstance(namespace, dict):
        return namespace
    # a subclass of dict for some classes (ctypes structures), laid out as a dict, tag included
    (mapping,) = [r for r in gc.get_referents(namespace) if isinstance(r, dict)]
    return mapping


@lru_cache(maxsize=1)
def available() -> bool:
    """Whether this interpreter keeps version tags we can rely on (checked once per process)."""
    if sys.implementation.name != "cpython" or ctypes.sizeof(ctypes.c_void_p) != 8:
        return False
    try:
        return _layout_matches() and _every_change_moves_the_tag()
    except Exception:  # noqa: BLE001 - any surprise means: do not rely on it
        return False


def _layout_matches() -> bool:
    """The field before the tag holds the entry count, for dicts of several sizes."""
    samples = [{}, {"a": 1}, dict.fromkeys(range(40))]
    return all(ctypes.c_ssize_t.from_address(id(d) + _USED_OFFSET).value == len(d) for d in samples)


def _every_change_moves_the_tag() -> bool:
    d: dict[Any, Any] = {"a": 1, "b": 2}
    module = types.ModuleType("probe_of_dict_versions")
    heap_class = type("ProbeOfDictVersions", (), {})
    plain, of_module, of_class = tag_cell(d), tag_cell(vars(module)), tag_cell(underlying_dict(vars(heap_class)))
    changes: list[tuple[ctypes.c_uint64, Callable[[], object]]] = [
        (plain, lambda: d.__setitem__("c", 3)), (plain, lambda: d.__setitem__("c", 4)),
        (plain, lambda: d.__delitem__("c")), (plain, lambda: d.pop("a")), (plain, lambda: d.update(e=5)),
        (plain, lambda: d.setdefault("f", 6)), (plain, lambda: d.popitem()), (plain, lambda: d.__ior__({"g": 7})),
        (plain, d.clear),
        (of_module, lambda: setattr(module, "x", 1)), (of_module, lambda: delattr(module, "x")),
        (of_class, lambda: setattr(heap_class, "x", 1)), (of_class, lambda: delattr(heap_class, "x")),
    ]
    for version, change in changes:
        before = version.value
        change()
        if version.value == before:
            return False
    return True
