"""Entry point of a sandboxed run: load the student's script, then run the assignment's probe steps.

Runs in the untrusted child. It only observes: every judgement happens on the trusted side, from the
observations this writes (see `channel`).
"""
from __future__ import annotations

import importlib.util
import inspect
import json
import os
import py_compile
from pathlib import Path
from types import ModuleType
from typing import Any

from grader.probe.channel import ObservationWriter, StudentError
from grader.probe.context import MissingName, ProbeContext
from grader.probe.errors import ProcessExit, student_error, timeout_error
from grader.probe.integrity import Guard
from grader.probe.integrity import prepare_in_parent as prepare_guard_in_parent
from grader.probe.figures import FigureCapture, count_open_figures
from grader.probe.globals_summary import summarise_globals
from grader.probe.limits import StepTimeout, time_limit
from grader.probe.load import run_script
from grader.probe.notebook import load_notebook
from grader.probe.seeding import seed_everything

TASK_FILE = "task.json"


#: os._exit called by student code, turned into an exception we can report
_ProcessExit = ProcessExit


def run_in_child(workdir: Path) -> None:
    """Sandbox entry: read task.json in `workdir`, observe the submission, write observations."""
    task = json.loads((workdir / TASK_FILE).read_text())
    writer = ObservationWriter(workdir / "observations")
    probe = _probe_module(Path(task["probe"]))
    student = workdir / "submission" / task["main_file"]
    real_exit = os._exit
    os._exit = _raise_process_exit
    run_pid = os.getpid()
    try:
        os.chdir(student.parent)
        seed_everything(int(task["seed"]))
        # figures a script saves and closes itself are kept when it does so (scripts; a notebook keeps its own)
        figure_capture = FigureCapture(workdir / "figures", task.get("max_figures", 12))
        if student.suffix != ".ipynb":
            figure_capture.install()
        # after our own patches (os._exit, default_rng): what the submission must not change from here on
        guard = Guard(probe, writer)
        verdict = _LoadVerdict(guard)
        writer.step("load", "start")
        if student.suffix == ".ipynb":  # every cell in an IPython shell; records cell.<n>.* observations
            loaded = load_notebook(student, task, writer, workdir / "figures", after_exec=verdict)
        else:
            loaded = run_script(student, task["load_seconds"], frozenset(task.get("harvest", ())), after_exec=verdict)
        verdict()
        _leave_if_forked(run_pid, real_exit)
        if verdict.tampered:
            writer.tampered(verdict.tampered)
            writer.finish()
            return
        if verdict.restored:
            writer.restored(verdict.restored)
        if loaded.error is not None:
            writer.record_error("load.error", loaded.error)
        writer.record("load.harvested", [label for label, _ in loaded.harvested])
        # How many figures and non-empty axes the script drew (left open, or closed by the script itself), so
        # a rubric can check that the required plots exist (the only behaviour left to verify when a script
        # follows no API); counted before saving closes them.
        figures, axes = count_open_figures()
        figures, axes = figures + figure_capture.closed_figures, axes + figure_capture.closed_axes
        meta = {"call": f"running {task['main_file']} as a script"}
        writer.record("load.figures", figures, {**meta, "what": "the number of figures drawn"})
        writer.record("load.axes_with_data", axes, {**meta, "what": "the number of plots (axes with data) drawn"})
        figure_capture.finish()
        writer.step("load", "timeout" if loaded.error and loaded.error.timeout else "done")
        _record_api(writer, loaded.namespace, task.get("api", {}))
        if student.suffix != ".ipynb":  # for a TA when the contract's names are missing (see score/review.py)
            writer.record("load.globals", summarise_globals(loaded.namespace), {"what": "the script's module globals"})
        ctx = ProbeContext(
            namespace=loaded.namespace,
            writer=writer,
            student_file=str(student),
            seed=int(task["seed"]),
            inputs_dir=workdir / "inputs",
            harvested=loaded.harvested,
        )
        guard.watch_context(ctx)
        for step in probe.STEPS:
            _run_step(ctx, step, task["step_seconds"])
            _leave_if_forked(run_pid, real_exit)
            changed = guard.after_step()
            if changed:
                # the rest of the record would not be trusted either: stop here
                writer.tampered(changed)
                break
        writer.finish()
    finally:
        os._exit = real_exit


class _LoadVerdict:
    """Called as soon as the student's script stops (and once more after loading): restore and remember."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self.restored: list[str] = []
        self.tampered: list[str] = []

    def __call__(self) -> None:
        restored, tampered = self.guard.after_load()
        self.restored += restored
        self.tampered += tampered


def _leave_if_forked(run_pid: int, real_exit) -> None:
    """A process the submission forked that came back into our code must not grade too: it just ends."""
    if os.getpid() != run_pid:
        real_exit(0)


def _raise_process_exit(status: int = 0) -> None:
    raise _ProcessExit(status)


def precompile_probe(path: Path) -> None:
    """Write the probe's bytecode cache next to it (trusted side, once per grading run).

    Sandboxed runs cannot write it (read-only filesystem, PYTHONDONTWRITEBYTECODE), so without this
    every run compiled the probe from source: 3-5 ms of each trivial run. Python checks the cache
    against the source's size and mtime, so a stale one is never used. A read-only checkout is fine:
    the runs then compile, as before.
    """
    try:
        py_compile.compile(str(path), doraise=True)
    except (OSError, py_compile.PyCompileError):
        pass


def prepare_in_parent(workdir: Path) -> None:
    """Sandbox `before_fork` hook, in the warm parent: what every run would otherwise do for itself.

    Imports the task's probe (once per version of its file; its own imports come along) and brings the
    integrity guard's snapshot up to date. Reads only task.json, which the trusted side wrote.
    """
    task = json.loads((workdir / TASK_FILE).read_text())
    try:
        _probe_module(Path(task["probe"]))
    except Exception:  # noqa: BLE001 - the child imports it again and reports the error as it always has
        pass
    prepare_guard_in_parent()


class _ImportedProbe:
    """The probe module the warm parent imported, and which file version it came from (an instance
    attribute: the guard treats changes to the grader's module namespaces as tampering)."""

    def __init__(self) -> None:
        self.stamp: tuple[str, int, int] | None = None
        self.module: ModuleType | None = None


_IMPORTED_PROBE = _ImportedProbe()


def _probe_module(path: Path) -> ModuleType:
    """The probe at `path`: the one imported before the fork if the file has not changed since, else imported now."""
    status = path.stat()
    stamp = (str(path), status.st_mtime_ns, status.st_size)
    if _IMPORTED_PROBE.stamp != stamp or _IMPORTED_PROBE.module is None:
        _IMPORTED_PROBE.module, _IMPORTED_PROBE.stamp = _import_probe(path), stamp
    return _IMPORTED_PROBE.module


def _import_probe(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"grader_probe_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run_step(ctx: ProbeContext, step, seconds: float) -> None:
    name = step.__name__
    ctx.writer.step(name, "start")
    ctx.seed_global(name)
    try:
        with time_limit(seconds):
            step(ctx)
        ctx.writer.step(name, "done")
    except StepTimeout:
        ctx.writer.record_error(f"step.{name}", timeout_error(seconds, f"running the probe step '{name}'"))
        ctx.writer.step(name, "timeout")
    except MissingName as missing:
        ctx.writer.record_error(f"step.{name}", StudentError("MissingName", f"{missing.args[0]} is not defined"))
        ctx.writer.step(name, "error")
    except BaseException as exc:  # student code that escaped the step's own attempts
        ctx.writer.record_error(f"step.{name}", student_error(exc, ctx.student_file))
        ctx.writer.step(name, "error")


def _record_api(writer: ObservationWriter, namespace: dict[str, Any], api: dict[str, list[str]]) -> None:
    """For each required name, whether it exists, and for classes the parameters of each required method."""
    for class_name, methods in api.items():
        cls = namespace.get(class_name)
        # A name listed with methods must be a class; one listed without (a function or a constant of the
        # API, e.g. `fit = []`) only has to exist.
        defined = isinstance(cls, type) if methods else class_name in namespace
        found: dict[str, Any] = {"defined": defined, "methods": {}}
        if isinstance(cls, type):
            for spec in methods:
                method = spec.split("(")[0]
                attr = getattr(cls, method, None)
                if method == "__init__" and attr is object.__init__:
                    attr = None
                found["methods"][method] = _parameters(attr) if callable(attr) else None
        writer.record(f"api.{class_name}", found)


def _parameters(func: Any) -> list[str] | str:
    try:
        return [p for p in inspect.signature(func).parameters if p != "self"]
    except (TypeError, ValueError):
        return "unknown"
