"""Per-submission results: what the sandbox run looked like and what every check scored."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from grader.results.check import CheckResult

#: ok: the run finished normally (student exceptions are fine: they are per-step errors).
#: timeout: the whole run hit its wall-time limit. crashed: the process died (signal, os._exit, C-level crash).
#: memory: killed for exceeding the memory limit. harness_error: our fault, never charged to the student.
RunStatus = Literal["ok", "timeout", "crashed", "memory", "harness_error"]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class RunReport:
    """How the sandboxed run of one submission went, in facts and in student-facing words."""

    status: RunStatus
    #: student-facing summary, e.g. "Time limit of 60 s exceeded while running hw1.py as a script."
    message: str = ""
    exit_code: int | None = None
    signal: int | None = None
    wall_s: float = 0.0
    cpu_s: float = 0.0
    max_rss_mb: float = 0.0
    #: the probe step that was running when the process ended, if it did not finish
    last_step: str = ""
    #: captured output, truncated
    stdout_tail: str = ""
    output_truncated: bool = False


@dataclass(frozen=True)
class GraderError:
    """The grader's own failure on one submission, never the student's doing (for the instructor)."""

    #: what the grader was doing, e.g. "judging the observations"
    step: str
    #: the exception, e.g. "ValueError: cannot convert float NaN to integer"
    error: str
    #: the innermost grader frames, e.g. "grader/checks/explain.py:62 in scale_pattern"
    where: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"{self.step}: {self.error}" + (f" ({self.where[-1]})" if self.where else "")


@dataclass(frozen=True)
class SubmissionResult:
    """Everything the gradebook and the feedback report need about one student."""

    student_id: str
    assignment: str
    files: tuple[str, ...]
    content_hash: str
    run: RunReport
    checks: tuple[CheckResult, ...]
    #: advice that costs no points, e.g. "Training runs at import time; put it under `if __name__ == '__main__':`."
    notes: tuple[str, ...] = ()
    grader_version: str = ""
    seed: int = 0
    schema_version: int = SCHEMA_VERSION
    #: submission-level problem that prevented grading at all (e.g. no hw1.py found)
    problem: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: set when the grader itself failed on this submission: the row is kept, and a rerun grades it again
    grader_error: GraderError | None = None

    @property
    def score(self) -> float:
        return sum(c.score for c in self.checks if c.status != "pending")

    @property
    def max_score(self) -> float:
        return sum(c.max_score for c in self.checks)

    @property
    def pending_points(self) -> float:
        return sum(c.max_score for c in self.checks if c.status == "pending")

    @property
    def status(self) -> str:
        """One word for the gradebook: graded, pending-manual, needs-review, timeout, crashed, memory, not-gradable,
        grader-error (the sandbox machinery failed, never the student's doing; the run's message says how)."""
        if self.grader_error is not None:
            return "grader-error"
        if self.problem:
            return "not-gradable"
        if self.run.status == "harness_error":
            return "grader-error"
        if self.run.status not in ("ok",):
            return self.run.status
        if self.extra.get("needs_review"):  # no contract names: a TA decides (score/review.py)
            return "needs-review"
        if self.pending_points:
            return "pending-manual"
        return "graded"

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["run"] = asdict(self.run)
        data["checks"] = [check.to_json() for check in self.checks]
        data["extra"] = dict(self.extra)
        if self.grader_error is not None:
            data["grader_error"] = asdict(self.grader_error)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SubmissionResult":
        data = dict(data)
        data["run"] = RunReport(**data["run"])
        data["checks"] = tuple(CheckResult.from_json(c) for c in data["checks"])
        data["files"] = tuple(data["files"])
        data["notes"] = tuple(data["notes"])
        if data.get("grader_error") is not None:
            error = dict(data["grader_error"])
            data["grader_error"] = GraderError(error["step"], error["error"], tuple(error.get("where", ())))
        return cls(**data)
