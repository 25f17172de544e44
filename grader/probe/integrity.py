"""Keep the submission's hands off the libraries the probe computes with and off the grader itself.

The probe has to run in the student's process (it calls the student's objects), so nothing in that
process is out of the student's reach. What this module does is make the generic attacks useless and
visible, and hand the trusted side a verdict it can act on:

- While the script runs (the "load"), a submission may rebind attributes of numpy, builtins or other
  modules the probe uses (`np.allclose = lambda *a: True`). That is the student's own program. Before
  the probe starts, every such attribute is put back (and the student is told which), so the checks
  observe the student's classes with the real libraries and the patch earns nothing.
- A change to the grader's own modules, classes, constants or recorder, at any time, and a change to
  those libraries made while the probe is running student code (a `forward()` that rebinds `np.sum`),
  can only be an attempt to alter what the grader observes. Both are restored and reported as
  tampering; the trusted side then scores nothing from the run.

A student who reads the grader's source can still aim at this module itself (or at the process's
memory through ctypes); docs/security.md says so. The checks that decide a score run on the trusted
side, and this module only has to make sure the observations they receive are the probe's.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from operator import is_
from types import ModuleType
from typing import Any

#: modules the probe and the recorder compute with; their attributes are restored before probing
LIBRARIES = ("builtins", "numpy", "json", "math", "copy", "inspect", "zlib", "hashlib", "io", "os", "posixpath",
             "itertools", "functools", "operator", "signal", "traceback", "contextlib", "random", "types")
#: the grader's own code, loaded in the sandboxed process
GRADER = ("grader",)
#: submodules of the libraries that are loaded lazily but used by the recorder, imported before capture
PRELOAD = ("numpy.linalg", "numpy.random", "numpy.lib.format")
_MISSING = object()
#: module attributes the interpreter itself updates (warnings registries, import state)
_VOLATILE = frozenset({"__warningregistry__", "__loader__", "__spec__", "__cached__"})


def _matches(name: str, packages: tuple[str, ...]) -> bool:
    # LIBRARIES and GRADER name top-level packages only, so the first part of a module's name decides; one
    # membership test instead of a prefix test per entry, for each of the hundreds of modules in sys.modules
    return name.partition(".")[0] in packages


@dataclass
class _Saved:
    """One namespace (a module's or a class's __dict__) as it was, plus copies of its mutable constants."""

    label: str
    owner: Any
    items: dict[str, Any]
    #: name -> shallow copy of a list/dict/set value, compared by equality (in-place edits count too)
    contents: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._keys = tuple(self.items)
        self._values = tuple(self.items.values())

    def namespace(self) -> Any:
        return vars(self.owner)

    def changed(self) -> list[str]:
        current = self.namespace()
        if self._untouched(current):
            return sorted(k for k, v in self.contents.items() if current.get(k, _MISSING) != v)
        names = [k for k, v in self.items.items() if k not in _VOLATILE and current.get(k, _MISSING) is not v]
        names += [k for k, v in self.contents.items() if k not in names and current.get(k, _MISSING) != v]
        return sorted(names)

    def _untouched(self, current: Any) -> bool:
        """The same names bound to the very same objects, in the same order: compared in C, not name by name.

        Identity only: a replacement object's own __eq__ is never asked (it could claim to be the original).
        """
        return (len(current) == len(self._keys) and all(map(is_, self._keys, current))
                and all(map(is_, self._values, current.values())))

    def restore(self, names: list[str]) -> None:
        for name in names:
            value = self.items[name]
            if name in self.contents:
                _refill(value, self.contents[name])
            if isinstance(self.owner, type):
                setattr(self.owner, name, value)
            else:
                self.namespace()[name] = value


def _refill(container: Any, saved: Any) -> None:
    """Put a mutable constant's saved contents back into the same object (others may hold a reference)."""
    if isinstance(container, list):
        container[:] = saved
    elif isinstance(container, (dict, set)):
        container.clear()
        container.update(saved)


def _copy_contents(namespace: dict[str, Any]) -> dict[str, Any]:
    return {k: type(v)(v) for k, v in namespace.items() if type(v) in (list, dict, set)}


class Guard:
    """Snapshot of what the submission must not change; `after_load` and `after_step` compare and restore."""

    def __init__(self, probe: ModuleType, writer: Any) -> None:
        for name in PRELOAD:
            try:
                __import__(name)
            except ImportError:
                pass
        self._writer = writer
        self._writer_class = type(writer)
        self._writer_state = {k: v for k, v in vars(writer).items() if not isinstance(v, (int, float))}
        self._libraries = [_Saved(name, module, dict(vars(module)))
                           for name, module in list(sys.modules.items())
                           if module is not None and _matches(name, LIBRARIES)]
        grader_modules = [(name, module) for name, module in list(sys.modules.items())
                          if module is not None and _matches(name, GRADER)]
        grader_modules.append((probe.__name__, probe))
        self._grader: list[_Saved] = []
        for name, module in grader_modules:
            namespace = vars(module)
            self._grader.append(_Saved(name, module, dict(namespace), _copy_contents(namespace)))
            for value in list(namespace.values()):
                if isinstance(value, type) and value.__module__ == name:
                    # class attributes are what instances use: ObservationWriter.record, ProbeContext.record
                    self._grader.append(_Saved(f"{name}.{value.__qualname__}", value, dict(vars(value))))
        self._contexts: list[tuple[Any, frozenset[str], dict[str, Any]]] = []

    def watch_context(self, ctx: Any) -> None:
        """Also protect the probe context: its attribute names and the recorder it holds."""
        self._contexts.append((ctx, frozenset(vars(ctx)), {"writer": ctx.writer}))

    def after_load(self) -> tuple[list[str], list[str]]:
        """After the student's script: (library attributes it replaced, grader parts it changed); all restored."""
        return self._check_libraries(), self._check_grader()

    def after_step(self) -> list[str]:
        """After a probe step: everything changed while student code ran under the probe (restored)."""
        return [f"{name} (while the grader was calling your code)" for name in self._check_libraries()] + self._check_grader()

    def _check_libraries(self) -> list[str]:
        replaced = []
        for saved in self._libraries:
            names = saved.changed()
            saved.restore(names)
            replaced += [f"{saved.label}.{name}" for name in names]
        return replaced

    def _check_grader(self) -> list[str]:
        changed = []
        for saved in self._grader:
            names = saved.changed()
            saved.restore(names)
            changed += [f"{saved.label}.{name}" for name in names]
        changed += self._check_writer()
        for ctx, names, held in self._contexts:
            extra = sorted(set(vars(ctx)) - names)
            for name in extra:
                delattr(ctx, name)
            changed += [f"the probe context's {name}" for name in extra]
            if ctx.writer is not held["writer"]:
                ctx.writer = held["writer"]
                changed.append("the probe context's recorder")
        return changed

    def _check_writer(self) -> list[str]:
        writer = self._writer
        changed = []
        if type(writer) is not self._writer_class:
            writer.__class__ = self._writer_class
            changed.append("the recorder's class")
        for name in sorted(set(vars(writer)) - set(self._writer_state) - {"_seq", "_count", "_pid"}):
            delattr(writer, name)
            changed.append(f"the recorder's {name}")
        for name, value in self._writer_state.items():
            if vars(writer).get(name, _MISSING) is not value:
                setattr(writer, name, value)
                changed.append(f"the recorder's {name}")
        return changed
