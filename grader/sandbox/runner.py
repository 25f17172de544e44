"""The seam between grading and the sandbox: anything that runs a SandboxTask and returns its outcome.

`SandboxPool` runs tasks in warm, isolated processes; `grader.store.runs.CachedSandbox` replays a
recorded run when the sandbox input is unchanged and otherwise hands the task to a pool it starts.
Grading depends on this protocol only.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from grader.sandbox.task import SandboxOutcome, SandboxTask


@runtime_checkable
class SandboxRunner(Protocol):
    """Runs sandboxed tasks, `jobs` of them at a time, from any thread."""

    jobs: int

    def run(self, task: SandboxTask) -> SandboxOutcome:
        """Run one task to its end (or its limits) and describe how it ended."""
        ...

    def close(self) -> None:
        """Stop every process; runs still in progress end as harness errors."""
        ...
