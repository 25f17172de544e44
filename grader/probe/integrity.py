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

Cost: the snapshot is taken in the warm parent before it forks (`prepare_in_parent`), and a check reads
each namespace's version tag before it reads any entry (`dict_version`): comparing values would write
their reference counts, and in a forked child that copies every page holding one.

A student who reads the grader's source can still aim at this module itself (or at the process's
memory through ctypes); docs/security.md says so. The checks that decide a score run on the trusted
side, and this module only has to make sure the observations they receive are the probe's.
"""
from __future__ import annotations

import sys
from array import array
from dataclasses import dataclass, field
from operator import attrgetter, is_
from types import ModuleType
from typing import Any

from grader.probe import dict_version

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
#: a module's `__builtins__` is the builtins module's own namespace, guarded as a library already
_NOT_CONTENTS = frozenset({"__builtins__"})
_tag_of = attrgetter("value")


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
    #: True for a library's namespace (restored after the script), False for the grader's (tampering)
    library: bool
    #: name -> shallow copy of a list/dict/set value, compared by equality (in-place edits count too)
    contents: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._keys = tuple(self.items)
        self._values = tuple(self.items.values())

    def namespace(self) -> Any:
        return vars(self.owner)

    def changed_entries(self) -> list[str]:
        """Names no longer bound to the very object they were bound to."""
        current = self.namespace()
        if self._untouched(current):
            return []
        return sorted(k for k, v in self.items.items() if k not in _VOLATILE and current.get(k, _MISSING) is not v)

    def changed_contents(self) -> list[str]:
        """Mutable constants whose contents differ from the copy (edited in place, or rebound)."""
        if not self.contents:
            return []
        current = self.namespace()
        return sorted(k for k, v in self.contents.items() if current.get(k, _MISSING) != v)

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
    return {k: type(v)(v) for k, v in namespace.items() if type(v) in (list, dict, set) and k not in _NOT_CONTENTS}


class Baseline:
    """What every guarded namespace held, kept current cheaply by the namespaces' version tags.

    Taken in the warm parent before it forks (`prepare_in_parent`) and brought up to date in the child,
    where only what the child itself changed since (os._exit, the seeded generators, modules the probe
    imported) is copied again. Without version tags (see `dict_version`) every refresh copies everything
    and every check compares every entry: slower, the same verdicts.
    """

    def __init__(self) -> None:
        self.tracked = dict_version.available()
        self._clear()

    def _clear(self) -> None:
        self.saved: list[_Saved] = []
        self._labels: set[str] = set()
        self._modules: set[str] = set()
        self._cells: list[Any] = []
        self._tags = array("Q")
        self._sys_modules_tag: int | None = None
        self._with_contents: dict[str, _Saved] = {}

    @property
    def with_contents(self) -> list[_Saved]:
        """The grader's module namespaces that hold mutable constants (compared on every check)."""
        return list(self._with_contents.values())

    def refresh(self) -> None:
        """Snapshot modules imported since the last refresh and namespaces changed since (everything, without tags).

        Only for trusted code's changes (the parent's preloads, the child's own patches before the
        submission runs): a namespace copied again here is accepted as it now is.
        """
        for name in PRELOAD:
            try:
                __import__(name)
            except ImportError:
                pass
        if not self.tracked:
            self._clear()
            self._add_new_modules()
            return
        modules_tag = dict_version.tag_cell(sys.modules).value
        if modules_tag != self._sys_modules_tag:
            self._add_new_modules()
            self._sys_modules_tag = modules_tag
        for index, _ in self.moved():
            self._snapshot_again(index)

    def _add_new_modules(self) -> None:
        for name, module in list(sys.modules.items()):
            if module is None or name in self._modules:
                continue
            if _matches(name, LIBRARIES):
                self._modules.add(name)
                self._add(_Saved(name, module, dict(vars(module)), library=True))
            elif _matches(name, GRADER):
                self.add_grader_module(name, module)

    def add_grader_module(self, name: str, module: ModuleType) -> None:
        """Guard one of the grader's modules, and the classes it defines, as tamper-proof."""
        self._modules.add(name)
        namespace = vars(module)
        self._add(_Saved(name, module, dict(namespace), library=False, contents=_copy_contents(namespace)))
        for value in list(namespace.values()):
            if isinstance(value, type) and value.__module__ == name:
                # class attributes are what instances use: ObservationWriter.record, ProbeContext.record
                self._add(_Saved(f"{name}.{value.__qualname__}", value, dict(vars(value)), library=False))

    def moved(self) -> list[tuple[int, int]]:
        """(index, current tag) of each namespace whose tag is not the one last accepted (each one, without tags).

        Reads only the tags: no value in any namespace is touched, so a forked child copies no page for it.
        """
        if not self.tracked:
            return [(index, 0) for index in range(len(self.saved))]
        current = array("Q", map(_tag_of, self._cells))
        if current == self._tags:
            return []
        return [(i, tag) for i, (tag, accepted) in enumerate(zip(current, self._tags)) if tag != accepted]

    def accept(self, index: int, tag: int) -> None:
        """The namespace was found to hold what its snapshot holds, when its tag read `tag`."""
        if self.tracked:
            self._tags[index] = tag

    def _add(self, saved: _Saved) -> None:
        if saved.label in self._labels:
            return
        self._labels.add(saved.label)
        self.saved.append(saved)
        if saved.contents:
            self._with_contents[saved.label] = saved
        if self.tracked:
            cell = dict_version.tag_cell(dict_version.underlying_dict(saved.namespace()))
            self._cells.append(cell)
            self._tags.append(cell.value)

    def _snapshot_again(self, index: int) -> None:
        old = self.saved[index]
        grader_module = not old.library and isinstance(old.owner, ModuleType)
        namespace = old.namespace()
        self._tags[index] = self._cells[index].value
        contents = _copy_contents(namespace) if grader_module else {}
        self.saved[index] = fresh = _Saved(old.label, old.owner, dict(namespace), old.library, contents)
        self._with_contents.pop(old.label, None)
        if contents:
            self._with_contents[old.label] = fresh
        if grader_module:
            self.add_grader_module(old.label, old.owner)  # classes it has defined since


class _Prepared:
    """The baseline the warm parent took for its next child: an instance attribute, because the guard
    treats any change to the grader's module or class namespaces as tampering."""

    def __init__(self) -> None:
        self.baseline: Baseline | None = None


_PREPARED = _Prepared()


def prepare_in_parent() -> None:
    """In the warm parent before each fork: bring the baseline up to date, so the child copies little."""
    if not dict_version.available():
        return  # the child would copy everything again anyway
    if _PREPARED.baseline is None:
        _PREPARED.baseline = Baseline()
    _PREPARED.baseline.refresh()


def _take_prepared() -> Baseline:
    """The parent's baseline, for this process only (a later guard in the same process starts afresh)."""
    baseline, _PREPARED.baseline = _PREPARED.baseline, None
    return baseline if baseline is not None else Baseline()


class Guard:
    """Snapshot of what the submission must not change; `after_load` and `after_step` compare and restore."""

    def __init__(self, probe: ModuleType, writer: Any) -> None:
        self._baseline = _take_prepared()
        self._baseline.refresh()
        self._baseline.add_grader_module(probe.__name__, probe)
        self._writer = writer
        self._writer_class = type(writer)
        self._writer_state = {k: v for k, v in vars(writer).items() if not isinstance(v, (int, float))}
        self._contexts: list[tuple[Any, frozenset[str], dict[str, Any]]] = []

    def watch_context(self, ctx: Any) -> None:
        """Also protect the probe context: its attribute names and the recorder it holds."""
        self._contexts.append((ctx, frozenset(vars(ctx)), {"writer": ctx.writer}))

    def after_load(self) -> tuple[list[str], list[str]]:
        """After the student's script: (library attributes it replaced, grader parts it changed); all restored."""
        moved = self._baseline.moved()
        return self._check(moved, library=True), self._check(moved, library=False) + self._check_grader_state()

    def after_step(self) -> list[str]:
        """After a probe step: everything changed while student code ran under the probe (restored)."""
        moved = self._baseline.moved()
        libraries = [f"{name} (while the grader was calling your code)" for name in self._check(moved, library=True)]
        return libraries + self._check(moved, library=False) + self._check_grader_state()

    def _check(self, moved: list[tuple[int, int]], library: bool) -> list[str]:
        """Restore the changed entries of the moved namespaces of one side; re-accept those found unchanged."""
        changed = []
        for index, tag in moved:
            saved = self._baseline.saved[index]
            if saved.library is not library:
                continue
            names = saved.changed_entries()
            if names:
                saved.restore(names)
                changed += [f"{saved.label}.{name}" for name in names]
            else:
                self._baseline.accept(index, tag)
        if not library:
            for saved in self._baseline.with_contents:
                names = saved.changed_contents()
                saved.restore(names)
                changed += [f"{saved.label}.{name}" for name in names]
        return changed

    def _check_grader_state(self) -> list[str]:
        changed = self._check_writer()
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
