"""The line protocol between the pool and a zygote: one JSON object per line, UTF-8.

zygote -> pool, once at start:   {"hello": {"pid": ..., "outer_pid": ..., "cgroups": {...}, "degraded": [...],
                                            "notes": {...}, "run_uid": ..., "error": ""}}
                                 (outer_pid: the zygote's pid as the pool sees it; it differs from pid when
                                 the zygote is the init of its own PID namespace, see userns.py;
                                 run_uid: the uid its runs get, or null where they keep the zygote's, see runuid.py)
pool -> zygote, per task:        {"task": {"workdir": ..., "entry": ..., "limits": {...}, "hidden_paths": [...]}}
zygote -> pool, per task:        {"outcome": {<SandboxOutcome fields>}}

Exactly one reply line per request line, so neither side ever has more than one line in flight and
no pipe can fill up. The sandboxed child never writes to these pipes.
"""
from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from grader.sandbox.limits import Limits
from grader.sandbox.task import SandboxOutcome, SandboxTask


def encode(message: dict[str, Any]) -> bytes:
    """One message as a single protocol line."""
    return json.dumps(message, separators=(",", ":")).encode("utf-8") + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """Parse one protocol line; raises ValueError on garbage."""
    message = json.loads(line.decode("utf-8"))
    if not isinstance(message, dict):
        raise ValueError("protocol line is not a JSON object")
    return message


def task_to_dict(task: SandboxTask) -> dict[str, Any]:
    """A task as JSON-ready data (paths as absolute strings, limits as a dict)."""
    return {
        "workdir": str(Path(task.workdir).absolute()),
        "entry": task.entry,
        "limits": asdict(task.limits),
        "hidden_paths": [str(Path(p).absolute()) for p in task.hidden_paths],
        "before_fork": task.before_fork,
    }


def task_from_dict(data: dict[str, Any]) -> SandboxTask:
    """Rebuild a task from `task_to_dict` output."""
    limits = dict(data["limits"])
    limits["preload"] = tuple(limits.get("preload", ()))
    return SandboxTask(
        workdir=Path(data["workdir"]),
        entry=data["entry"],
        limits=Limits(**limits),
        hidden_paths=tuple(Path(p) for p in data.get("hidden_paths", ())),
        before_fork=data.get("before_fork", ""),
    )


def outcome_to_dict(outcome: SandboxOutcome) -> dict[str, Any]:
    """An outcome as JSON-ready data."""
    data = asdict(outcome)
    data["degraded"] = list(outcome.degraded)
    return data


def outcome_from_dict(data: dict[str, Any]) -> SandboxOutcome:
    """Rebuild an outcome; unknown keys are ignored so old and new zygotes stay compatible."""
    known = {f.name for f in fields(SandboxOutcome)}
    values = {k: v for k, v in data.items() if k in known}
    values["degraded"] = tuple(values.get("degraded", ()))
    return SandboxOutcome(**values)
