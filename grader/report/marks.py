"""A TA's marks on top of the graded results: manual scores and overrides, read from the result store.

The store is the record (with its history); `manual_scores.csv` is a view a TA may also edit by hand:
`import_manual_csv` upserts its rows into the store (validated first, so a typo changes nothing), and
`export_manual_csv` writes the store's scores back, so the file and the web workbench always agree.
A row removed from the CSV is not removed from the store: clearing a score is an explicit, audited act.
"""
from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd

from grader.results.check import CheckResult
from grader.report.gradebook import apply_manual_scores
from grader.report.text import fmt_points
from grader.results.submission import SubmissionResult
from grader.atomic import write_text_atomic
from grader.store.results import ResultStore

#: columns of manual_scores.csv, as written by `export_manual_csv`
CSV_COLUMNS = ("student_id", "item_id", "points", "grader", "comment")


def marked_results(store: ResultStore, assignment: str,
                   results: list[SubmissionResult] | None = None) -> list[SubmissionResult]:
    """`results` (default: the stored results of `assignment`) with the stored manual scores and overrides applied."""
    results = store.results(assignment) if results is None else list(results)
    results = apply_manual_scores(results, _known_rows(store.manual_scores(assignment), results, "item_id"))
    results = [_full_marks_comments(result) for result in results]
    return apply_overrides(results, _known_rows(store.overrides(assignment), results, "check_id"))


def _full_marks_comments(result: SubmissionResult) -> SubmissionResult:
    # the report details only the checks that lost points; a TA's comment on a full-marks answer is a note
    notes = tuple(f"Your TA on \u201c{c.title}\u201d: {c.message}" for c in result.checks
                  if c.status == "manual" and c.lost <= 0 and c.message)
    return replace(result, notes=result.notes + notes) if notes else result


def _known_rows(frame: pd.DataFrame, results: list[SubmissionResult], column: str) -> pd.DataFrame:
    # a score stays in the store when its student is withdrawn or its item renamed (a TA's work is kept),
    # but only rows that still match a result apply
    known = {(r.student_id, c.check_id) for r in results for c in r.checks}
    keep = [(s, i) in known for s, i in zip(frame["student_id"], frame[column])]
    return frame[keep] if len(frame) else frame


def apply_overrides(results: list[SubmissionResult], overrides: pd.DataFrame) -> list[SubmissionResult]:
    """Results with a TA's points in place of the automatic ones; the reason becomes part of the message.

    `overrides` has columns student_id, check_id, points, grader, reason (`ResultStore.overrides`). Points
    are clipped to the check's range; manual items are scored with manual scores, not overrides.
    """
    by_key = {(str(r["student_id"]), str(r["check_id"])): r for r in overrides.to_dict("records")}
    if not by_key:
        return list(results)
    marked = []
    for result in results:
        checks = tuple(_override(check, by_key.get((result.student_id, check.check_id))) for check in result.checks)
        if checks == result.checks:
            marked.append(result)
            continue
        # the report lists notes whatever the points: an override to full marks still shows why
        notes = tuple(c.details["override"]["note"] for c, old in zip(checks, result.checks) if c is not old)
        marked.append(replace(result, checks=checks, notes=result.notes + notes))
    return marked


def _override(check: CheckResult, row: dict | None) -> CheckResult:
    if row is None or check.is_manual:
        return check
    points = min(max(float(row["points"]), 0.0), check.max_score)
    note = (f"Points of \u201c{check.title}\u201d changed by your TA from {fmt_points(check.score)} to "
            f"{fmt_points(points)} of {fmt_points(check.max_score)}: {row['reason']}")
    message = f"{check.message}\n\n{note}" if check.message else note
    details = {**check.details, "override": {"automatic_points": check.score, "points": points,
                                              "grader": row["grader"], "reason": row["reason"],
                                              "note": note}}
    status = "passed" if points >= check.max_score and check.status == "failed" else check.status
    return replace(check, score=points, message=message, status=status, details=details)


def read_manual_csv(path: Path) -> pd.DataFrame:
    """A hand-edited manual_scores.csv as a frame (student ids stay text: "007" is not 7)."""
    return pd.read_csv(path, dtype={"student_id": str, "item_id": str})


def import_manual_csv(store: ResultStore, assignment: str, path: Path, *, grader: str = "manual_scores.csv") -> int:
    """Upsert the rows of a manual_scores.csv into the store; returns how many scores changed.

    Raises ValueError (or a pandas parser error) with the same messages as `apply_manual_scores`
    when the file names unknown students or items, has duplicates, empty or non-numeric points.
    """
    frame = read_manual_csv(path)
    results = store.results(assignment)
    apply_manual_scores(results, frame)  # validation only: nothing is stored from a file with a mistake
    if "assignment" in frame.columns:
        frame = frame[frame["assignment"] == assignment]
    changed = 0
    for row in frame.to_dict("records"):
        who = _text(row.get("grader")) or grader
        changed += store.set_manual(str(row["student_id"]), assignment, str(row["item_id"]), float(row["points"]),
                                    who, _text(row.get("comment")))
    return changed


def manual_csv_text(store: ResultStore, assignment: str) -> str:
    """The store's manual scores as manual_scores.csv text (sorted, "\\n" line endings).

    Only scores of students and items the store has results for: a withdrawn student's scores stay in the
    store, but a file naming them could not be imported again.
    """
    frame = _known_rows(store.manual_scores(assignment), store.results(assignment), "item_id")
    return frame[list(CSV_COLUMNS)].to_csv(index=False, lineterminator="\n")


def export_manual_csv(store: ResultStore, assignment: str, path: Path) -> None:
    """Write manual_scores.csv from the store, atomically; no file when there is nothing to write."""
    text = manual_csv_text(store, assignment)
    if path.is_file() or text.count("\n") > 1:
        write_text_atomic(path, text)


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
