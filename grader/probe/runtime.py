"""Entry point of a sandboxed run: load the student's script, then run the assignment's probe steps.

Runs in the untrusted child. It only observes: every judgement happens on the trusted side, from the
observations this writes (see `channel`).
"""
from __future__ import annotations

import importlib.util
import inspect
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from grader.probe.channel import ObservationWriter, StudentError
from grader.probe.context import MissingName, ProbeContext
from grader.probe.errors import student_error, timeout_error
from grader.probe.figures import save_open_figures
from grader.probe.limits import StepTimeout, time_limit
from grader.probe.load import run_script
from grader.probe.seeding import seed_everything

TASK_FILE = "task.json"


class _ProcessExit(SystemExit):
    """os._exit called by student code, turned into an exception we can report."""


def run_in_child(workdir: Path) -> None:
    """Sandbox entry: read task.json in `workdir`, observe the submission, write observations."""
    task = json.loads((workdir / TASK_FILE).read_text())
    writer = ObservationWriter(workdir / "observations")
    probe = _import_probe(Path(task["probe"]))
    student = workdir / "submission" / task["main_file"]
    real_exit = os._exit
    os._exit = _raise_process_exit
    try:
        os.chdir(student.parent)
        seed_everything(int(task["seed"]))
        writer.step("load", "start")
        loaded = run_script(student, task["load_seconds"], frozenset(task.get("harvest", ())))
        if loaded.error is not None:
            writer.record_error("load.error", loaded.error)
        writer.record("load.harvested", [label for label, _ in loaded.harvested])
        save_open_figures(workdir / "figures", task.get("max_figures", 12))
        writer.step("load", "timeout" if loaded.error and loaded.error.timeout else "done")
        _record_api(writer, loaded.namespace, task.get("api", {}))
        ctx = ProbeContext(
            namespace=loaded.namespace,
            writer=writer,
            student_file=str(student),
            seed=int(task["seed"]),
            inputs_dir=workdir / "inputs",
            harvested=loaded.harvested,
        )
        for step in probe.STEPS:
            _run_step(ctx, step, task["step_seconds"])
    finally:
        os._exit = real_exit


def _raise_process_exit(status: int = 0) -> None:
    raise _ProcessExit(status)


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
    """For each required class, whether it exists and the parameters of each required method."""
    for class_name, methods in api.items():
        cls = namespace.get(class_name)
        found: dict[str, Any] = {"defined": isinstance(cls, type), "methods": {}}
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
