"""What the web pages read and write: one output folder, each assignment's result store and files.

Every change a TA makes goes into the result store (audited) and then republishes that assignment's
gradebook, exports, manual_scores.csv and the reports that changed: no sandbox work.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import pandas as pd

from grader.assignments import load_assignment
from grader.discover import DiscoveryError, Submission, discover
from grader.report.gradebook import build_gradebook
from grader.report.marks import marked_results
from grader.run import Outputs, publish
from grader.results.submission import SubmissionResult
from grader.rubric import Rubric, RubricError
from grader.store.results import ResultStore


class NotFound(LookupError):
    """An assignment, student or item the output folder does not have."""


@dataclass(frozen=True)
class ManualItem:
    id: str
    title: str
    points: float
    answer: str = ""


@dataclass(frozen=True)
class Workbench:
    """The output folder `grader serve` works on (several assignments, one subfolder each)."""

    out: Path

    def assignments(self) -> list[str]:
        """Subfolders with a result store, sorted."""
        if not self.out.is_dir():
            return []
        return sorted(p.parent.name for p in self.out.glob("*/results.sqlite"))

    def outputs(self, assignment: str) -> Outputs:
        # only names listed from the folder itself are accepted: a URL cannot point anywhere else
        if assignment not in self.assignments():
            raise NotFound(f"no assignment {assignment!r} in {self.out}")
        return Outputs(self.out / assignment)

    def store(self, assignment: str) -> ResultStore:
        return ResultStore(self.outputs(assignment).store)

    def rubric(self, assignment: str) -> Rubric | None:
        return _rubric(assignment)

    def results(self, assignment: str) -> list[SubmissionResult]:
        """Stored results with the TA's marks applied, sorted by student."""
        with self.store(assignment) as store:
            return marked_results(store, assignment)

    def result(self, assignment: str, student_id: str) -> SubmissionResult:
        for result in self.results(assignment):
            if result.student_id == student_id:
                return result
        raise NotFound(f"no student {student_id!r} in {assignment}")

    def gradebook(self, assignment: str) -> pd.DataFrame:
        return build_gradebook(self.results(assignment))

    def manual_items(self, assignment: str) -> list[ManualItem]:
        """The rubric's manual items (from the results when the rubric is not at hand)."""
        rubric = self.rubric(assignment)
        if rubric is not None:
            return [ManualItem(m.id, m.title, m.points, m.answer) for m in rubric.manual]
        seen: dict[str, ManualItem] = {}
        for result in self.results(assignment):
            for check in result.checks:
                if check.is_manual and check.check_id not in seen:
                    seen[check.check_id] = ManualItem(check.check_id, check.title, check.max_score)
        return list(seen.values())

    def submissions(self, assignment: str) -> dict[str, Submission]:
        """The hand-ins on disk by student id, found again in the folder the last run graded."""
        return _submissions(self, assignment)

    # ------------------------------------------------------------------ a TA's marks
    def save_manual(self, assignment: str, student_id: str, item_id: str, points: float | None, comment: str,
                    grader: str) -> SubmissionResult:
        """Score (or with points None, clear) one manual item and republish; returns the student's result."""
        check = self._check(assignment, student_id, item_id, manual=True)
        with _lock(self.out, assignment), self.store(assignment) as store:
            if points is None:
                store.clear_manual(student_id, assignment, item_id, grader, at=_now())
            else:
                _in_range(points, check.max_score)
                store.set_manual(student_id, assignment, item_id, points, grader, comment, at=_now())
            self._republish(assignment, store)
        return self.result(assignment, student_id)

    def save_override(self, assignment: str, student_id: str, check_id: str, points: float | None, reason: str,
                      grader: str) -> SubmissionResult:
        """Override (or with points None, restore) an automatic check's points and republish."""
        check = self._check(assignment, student_id, check_id, manual=False)
        with _lock(self.out, assignment), self.store(assignment) as store:
            if points is None:
                store.clear_override(student_id, assignment, check_id, grader, at=_now())
            else:
                _in_range(points, check.max_score)
                store.set_override(student_id, assignment, check_id, points, grader, reason, at=_now())
            self._republish(assignment, store)
        return self.result(assignment, student_id)

    def history(self, assignment: str, student_id: str | None = None) -> pd.DataFrame:
        with self.store(assignment) as store:
            return store.history(assignment, student_id)

    def republish(self, assignment: str) -> None:
        with _lock(self.out, assignment), self.store(assignment) as store:
            self._republish(assignment, store)

    def _republish(self, assignment: str, store: ResultStore) -> None:
        # the store's manual scores are exported to manual_scores.csv before publish reads that file back
        from grader.report.marks import export_manual_csv

        outputs = self.outputs(assignment)
        export_manual_csv(store, assignment, outputs.manual)
        rubric = self.rubric(assignment)
        titles = {s.id: s.title for s in rubric.sections} if rubric else {}
        public_only = store.meta(assignment, "public_only") == "1"
        publish(store.results(assignment), outputs, public_only, titles)

    def _check(self, assignment: str, student_id: str, check_id: str, *, manual: bool):
        result = self.result(assignment, student_id)
        for check in result.checks:
            if check.check_id == check_id and check.is_manual == manual:
                return check
        kind = "manual item" if manual else "automatic check"
        raise NotFound(f"{student_id} has no {kind} {check_id!r}")


def _in_range(points: float, max_points: float) -> None:
    if not (0.0 <= points <= max_points):
        raise ValueError(f"points must be between 0 and {max_points:g}")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


_LOCKS: dict[tuple[Path, str], threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock(out: Path, assignment: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault((out.resolve(), assignment), threading.Lock())


@lru_cache(maxsize=32)
def _rubric(assignment: str) -> Rubric | None:
    try:
        return load_assignment(assignment)
    except RubricError:
        return None


def _submissions(bench: Workbench, assignment: str) -> dict[str, Submission]:
    with bench.store(assignment) as store:
        folder = store.meta(assignment, "submissions")
    rubric = bench.rubric(assignment)
    if not folder or rubric is None:
        return {}
    return _discovered(folder, rubric.main_file, _mtime(Path(folder)))


def _mtime(folder: Path) -> int:
    try:
        return folder.stat().st_mtime_ns
    except OSError:
        return 0


@lru_cache(maxsize=16)
def _discovered(folder: str, main_file: str, _mtime_ns: int) -> dict[str, Submission]:
    try:
        return {s.student_id: s for s in discover(Path(folder), main_file)}
    except DiscoveryError:
        return {}
