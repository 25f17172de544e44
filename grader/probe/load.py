"""Run a student's script as a program and keep what it leaves behind.

Real submissions train under `if __name__ == "__main__":`, inside a `main()` function, or at import time,
and some crash after training (saving a figure into a missing folder). We run the file as `__main__`, keep
its module namespace even when it raises, and collect instances of the classes a rubric asks for from the
namespace and from the locals of every function of the student's file when that function returns.
"""
from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from grader.probe.channel import StudentError
from grader.probe.errors import student_error, timeout_error
from grader.probe.limits import StepTimeout, time_limit

MAX_HARVEST = 8


@dataclass
class LoadResult:
    namespace: dict[str, Any]
    #: (where it was found, object), module globals first, e.g. ("model", obj) or ("net (a local variable of main())", obj)
    harvested: list[tuple[str, Any]] = field(default_factory=list)
    error: StudentError | None = None


class _Harvester:
    """Trace hook that keeps instances of wanted classes found in returning student frames."""

    def __init__(self, filename: str, class_names: frozenset[str]):
        self.filename = filename
        self.class_names = class_names
        self.found: dict[int, tuple[str, Any]] = {}

    def wanted(self, value: Any) -> bool:
        return any(cls.__name__ in self.class_names for cls in type(value).__mro__)

    def scan(self, where: str, names: dict[str, Any]) -> None:
        try:
            for name, value in list(names.items()):
                for label, item in _with_container_items(name, value):
                    if len(self.found) < MAX_HARVEST and id(item) not in self.found and self.wanted(item):
                        self.found[id(item)] = (f"{label}{where}", item)
        except Exception:  # noqa: BLE001
            # runs as a trace hook inside the student's code: it must never raise into it, whatever the
            # script did to the builtins it uses (isinstance patched to always answer True, odd __mro__)
            pass

    def global_trace(self, frame, event, arg):  # noqa: ARG002 - sys.settrace signature
        if event != "call" or frame.f_code.co_filename != self.filename:
            return None
        frame.f_trace_lines = False  # only the return event matters; line events would slow training
        return self.local_trace

    def local_trace(self, frame, event, arg):  # noqa: ARG002
        if event == "return" and frame.f_code.co_name != "<module>":
            self.scan(f" (a local variable of {frame.f_code.co_name}())", frame.f_locals)
        return self.local_trace


def _with_container_items(name: str, value: Any):
    yield name, value
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value[:20]):
            yield f"{name}[{i}]", item
    elif isinstance(value, dict):
        for k, item in list(value.items())[:20]:
            yield f"{name}[{k!r}]", item


def run_script(path: Path, seconds: float, harvest: frozenset[str],
               after_exec: Callable[[], None] | None = None) -> LoadResult:
    """Execute `path` as `__main__` under a time limit; never raises for anything the script does.

    `after_exec` runs as soon as the script's code has stopped, before any more of our code: the
    script may have replaced builtins or numpy functions that harvesting relies on (see `integrity`).
    """
    filename = str(path)
    module = types.ModuleType("__main__")
    module.__file__ = filename
    namespace = module.__dict__
    namespace["__builtins__"] = __builtins__
    harvester = _Harvester(filename, harvest)
    sys.modules["__main__"] = module
    sys.argv = [filename]
    sys.path.insert(0, str(path.parent))
    error = None
    try:
        source = path.read_bytes()
        code = _compile(source, filename)
        sys.settrace(harvester.global_trace)
        try:
            with time_limit(seconds):
                exec(code, namespace)
        finally:
            sys.settrace(None)
            if after_exec is not None:
                after_exec()
    except StepTimeout:
        error = timeout_error(seconds, f"running {path.name} as a script")
    except BaseException as exc:  # the script's own failure, including SystemExit
        error = student_error(exc, filename)
    module_found = _Harvester(filename, harvest)
    module_found.scan("", namespace)
    harvested = list(module_found.found.values())
    harvested += [item for key, item in harvester.found.items() if key not in module_found.found]
    return LoadResult(namespace, harvested[:MAX_HARVEST], error)


#: the compiler's nesting budget is a multiple of the recursion limit minus the frames already on the stack,
#: so a file Python itself compiles (a sum of a few thousand terms) would fail here, a few probe frames deep
COMPILE_RECURSION_LIMIT = 10_000


def _compile(source: bytes, filename: str):
    """`compile` with the nesting budget of a top-level `python script.py`, whatever our own stack depth."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, COMPILE_RECURSION_LIMIT))
    try:
        return compile(source, filename, "exec")
    finally:
        sys.setrecursionlimit(limit)
