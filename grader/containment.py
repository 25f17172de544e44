"""One hand-in never stops the class: the grader's own failures are contained to that student's row.

Everything the trusted side does for one submission (reading its files, reading what its run observed,
judging, advising, cleaning up, storing, writing its report) runs under a guard. An exception there, or a
trusted step that does not finish within TRUSTED_STEP_SECONDS, becomes that student's row with status
`grader-error`: the step and the error for the instructor, a plain sentence for the student. The row is
stored like any other, under a grading key no real one equals, so the next run grades it again instead of
serving it from the cache. The other submissions go on. Setting up the reference is not guarded: a
reference that fails is the instructor's problem and stops the run with a clear message.
"""
from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.results.check import CheckResult
from grader.discover.submission import Submission, printable
from grader.results.submission import GraderError, RunReport, SubmissionResult
from grader.rubric import Rubric

#: stored as the grading key of a grader-error row: never equal to a real key, so a rerun grades it again
RETRY_KEY = "grader-error: grade again"
#: a trusted step (everything but the sandboxed run, which has its own limits) running longer is a hang
TRUSTED_STEP_SECONDS = 300.0
STUDENT_SENTENCE = ("The grader itself failed while {step} your submission. This is not your fault and costs you "
                    "nothing: your instructor has the details, and your submission is graded again on the next run.")
CHECK_SENTENCE = "Not graded yet: the grader failed on your submission (not your fault); it will be graded again."
_GRADER_ROOT = str(Path(__file__).resolve().parent)


@dataclass
class Progress:
    """Which step of one submission's grading is running, and since when (read by the watchdog)."""

    step: str = "preparing"
    since: float = field(default_factory=time.monotonic)
    #: the step runs in the sandbox, whose own limits end it
    sandboxed: bool = False

    def enter(self, step: str, sandboxed: bool = False) -> None:
        self.step, self.since, self.sandboxed = step, time.monotonic(), sandboxed

    def overdue(self, now: float, limit: float) -> bool:
        return not self.sandboxed and now - self.since > limit


def describe_exception(exc: BaseException) -> tuple[str, tuple[str, ...]]:
    """("Type: message", innermost grader frames) without ever raising (a message may not print)."""
    try:
        message = str(exc)
    except Exception:
        message = "(the message could not be shown)"
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    frames: list[str] = []
    try:
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.startswith(_GRADER_ROOT):
                relative = "grader" + frame.filename[len(_GRADER_ROOT):]
                frames.append(f"{relative}:{frame.lineno} in {frame.name}")
    except Exception:
        pass
    return text[:2000], tuple(frames[-3:])


def grader_error_result(rubric: Rubric, submission: Submission, seed: int, step: str, error: str,
                        where: tuple[str, ...] = (), version: str = "") -> SubmissionResult:
    """The row of a submission the grader failed on; built from trusted facts only, so it cannot fail."""
    checks = [CheckResult(spec.id, spec.title, spec.section, "skipped", 0.0, spec.points, visibility=spec.visibility,
                          message=CHECK_SENTENCE, observed="not graded") for spec in rubric.checks]
    checks += [CheckResult(item.id, item.title, item.section, "pending", 0.0, item.points, message="To be graded by a TA.")
               for item in rubric.manual]
    return SubmissionResult(
        student_id=submission.student_id,
        assignment=rubric.name,
        files=_files(submission),
        content_hash=_content_hash(submission),
        run=RunReport(status="harness_error", message=STUDENT_SENTENCE.format(step=step)),
        checks=tuple(checks),
        grader_version=version,
        seed=seed,
        grader_error=GraderError(step, error, where),
    )


def from_exception(rubric: Rubric, submission: Submission, seed: int, step: str, exc: BaseException,
                   version: str = "") -> SubmissionResult:
    error, where = describe_exception(exc)
    return grader_error_result(rubric, submission, seed, step, error, where, version)


def as_grader_error(result: SubmissionResult, step: str, exc: BaseException) -> SubmissionResult:
    """An already graded `result` turned into a grader-error row (e.g. its report could not be written):
    every automatic check back to "not graded", nothing of the failed rendering kept."""
    error, where = describe_exception(exc)
    checks = tuple(check if check.is_manual else
                   CheckResult(check.check_id, check.title, check.section, "skipped", 0.0, check.max_score,
                               visibility=check.visibility, message=CHECK_SENTENCE, observed="not graded")
                   for check in result.checks)
    return replace(result, checks=checks, notes=(), extra={},
                   run=RunReport(status="harness_error", message=STUDENT_SENTENCE.format(step=step)),
                   grader_error=GraderError(step, error, where))


def _files(submission: Submission) -> tuple[str, ...]:
    try:
        return tuple(printable(str(p.relative_to(submission.root.parent))) for p in submission.files)
    except Exception:
        return ()


def _content_hash(submission: Submission) -> str:
    try:
        return submission.content_hash()
    except Exception:  # the files changed or vanished meanwhile: the rerun retries anyway
        return ""


class StepHung(Exception):
    """A trusted step that did not finish in time (its thread is abandoned)."""


GradeOne = Callable[[Submission, Progress], SubmissionResult]
OnError = Callable[[Submission, str, BaseException], SubmissionResult]


class ContainedRunner:
    """Grades submissions on `workers` threads; yields one result per submission, whatever happens.

    `grade(submission, progress)` does the work and reports its steps on `progress`; `on_error(submission,
    step, exc)` builds the grader-error row (exc is a StepHung for a trusted step that hung). A hung thread cannot
    be stopped in Python: it is abandoned (its threads are daemons, so they never keep the process alive),
    its late result is ignored, and a fresh thread takes its place so the class keeps its parallelism.
    """

    def __init__(self, grade: GradeOne, on_error: OnError, workers: int,
                 step_seconds: float | None = None, poll_seconds: float = 1.0) -> None:
        self._grade = grade
        self._on_error = on_error
        self._workers = max(1, workers)
        self._step_seconds = TRUSTED_STEP_SECONDS if step_seconds is None else step_seconds
        self._poll = poll_seconds
        self._todo: queue.Queue = queue.Queue()
        self._done: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._running: dict[int, tuple[Submission, Progress, threading.Thread]] = {}
        self._abandoned: set[int] = set()
        self._abandoned_threads: set[threading.Thread] = set()
        self._lock = threading.Lock()

    def results(self, submissions: Iterable[Submission]) -> Iterator[SubmissionResult]:
        items = list(submissions)
        for number, submission in enumerate(items):
            self._todo.put((number, submission))
        for _ in range(min(self._workers, len(items))):
            self._start_worker()
        left = set(range(len(items)))
        checked = time.monotonic()
        while left:
            try:
                number, result = self._done.get(timeout=self._poll)
            except queue.Empty:
                pass
            else:
                left.discard(number)
                if result is not None:
                    yield result
            if time.monotonic() - checked >= self._poll:
                checked = time.monotonic()
                for number, result in self._overdue():
                    left.discard(number)
                    yield result

    def stop(self) -> None:
        """Hand out no more work (the submissions in progress go on)."""
        self._stop.set()

    def close(self, wait: float | None = None) -> None:
        """Stop handing out work and wait up to `wait` seconds (None: until done) for the busy threads."""
        self._stop.set()
        deadline = None if wait is None else time.monotonic() + wait
        with self._lock:
            threads = [t for t in self._threads if t not in self._abandoned_threads]
        for thread in threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))

    def _start_worker(self) -> None:
        thread = threading.Thread(target=self._work, name="grader-submission", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                number, submission = self._todo.get_nowait()
            except queue.Empty:
                return
            progress = Progress()
            with self._lock:
                self._running[number] = (submission, progress, threading.current_thread())
            try:
                result = self._grade(submission, progress)
            except BaseException as exc:  # noqa: BLE001 - nothing one submission does may end this thread
                try:
                    result = self._on_error(submission, progress.step, exc)
                except BaseException:  # noqa: BLE001 - built from trusted facts; if even that fails, no row
                    result = None
            with self._lock:
                self._running.pop(number, None)
                if number in self._abandoned:
                    return  # too late: its row was written, and a fresh thread took over its share of the work
            self._done.put((number, result))

    def _overdue(self) -> list[tuple[int, SubmissionResult]]:
        """Grader-error rows for the submissions whose trusted step hung; their threads are replaced."""
        now = time.monotonic()
        hung = []
        with self._lock:
            for number, (submission, progress, thread) in list(self._running.items()):
                if progress.overdue(now, self._step_seconds):
                    del self._running[number]
                    self._abandoned.add(number)
                    self._abandoned_threads.add(thread)
                    hung.append((number, submission, progress.step))
        rows = []
        for number, submission, step in hung:
            hung_error = StepHung(f"the step did not finish within {self._step_seconds:g} s; it was abandoned")
            rows.append((number, self._on_error(submission, step, hung_error)))
            if not self._stop.is_set():
                self._start_worker()
        return rows
