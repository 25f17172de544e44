"""The instructor's gradebook: one row per student, one column per check, totals at the end.

`build_gradebook` is a pure function of the results, so two runs over the same results give
the same DataFrame and byte-identical CSV. `apply_manual_scores` merges the TAs' scores for
manual rubric items (kept in the result store) into the results before the gradebook is built.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd

from grader.results.check import CheckResult
from grader.results.submission import SubmissionResult
from grader.results.diagnosis import diagnoses_in

#: the columns after the per-check columns, in order
SUMMARY_COLUMNS = (
    "auto_points",
    "manual_points",
    "total",
    "max_points",
    "percent",
    "pending_points",
    "status",
    "run_status",
    "content_hash",
    "diagnosis",
)
#: columns a class roster or LMS download adds after student_id (grader.report.roster_rows); never checks
IDENTITY_COLUMNS = ("name", "lms_id", "section", "roster", "late")
#: points are rounded to this many decimals: finer than any rubric, coarse enough to hide float-sum noise
POINT_DECIMALS = 4
#: key in `DataFrame.attrs` holding {check_id: max points}, used by summaries
MAX_POINTS_ATTR = "check_max_points"
#: key in `DataFrame.attrs` holding {student_id: step and error} of the rows the grader failed on
GRADER_ERRORS_ATTR = "grader_errors"


def build_gradebook(results: Iterable[SubmissionResult]) -> pd.DataFrame:
    """One row per student (sorted by student_id) with per-check points and totals.

    Columns: ``student_id``, one column per check id in rubric order (points scored; NaN for a
    pending manual item or a check the submission does not have), then `SUMMARY_COLUMNS`.
    ``manual_points`` is NaN while any manual item is pending; ``total`` counts points so far.
    The per-check maximum points are kept in ``gradebook.attrs["check_max_points"]``.
    """
    ordered = _sorted_unique(results)
    check_ids, max_points = _check_columns(ordered)
    rows = [_gradebook_row(result, check_ids) for result in ordered]
    columns = ["student_id", *check_ids, *SUMMARY_COLUMNS]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.astype({cid: "float64" for cid in check_ids})
    frame.attrs[MAX_POINTS_ATTR] = max_points
    return frame


#: columns added only when they apply (grader.run.publish): "isolation" after --allow-weak-isolation
OPTIONAL_COLUMNS = ("isolation", "grader_error")


def check_columns(gradebook: pd.DataFrame) -> list[str]:
    """The per-check columns of a gradebook, in order."""
    return [c for c in gradebook.columns
            if c != "student_id" and c not in SUMMARY_COLUMNS and c not in OPTIONAL_COLUMNS and c not in IDENTITY_COLUMNS]


def _sorted_unique(results: Iterable[SubmissionResult]) -> list[SubmissionResult]:
    ordered = sorted(results, key=lambda r: (r.student_id, r.assignment))
    seen: set[str] = set()
    for result in ordered:
        if result.student_id in seen:
            # Two rows for one student would make every export ambiguous; refuse instead of guessing.
            raise ValueError(f"more than one result for student {result.student_id!r}")
        seen.add(result.student_id)
    return ordered


def _check_columns(results: list[SubmissionResult]) -> tuple[list[str], dict[str, float]]:
    """Check ids in order of first appearance (rubric order) and each check's max points."""
    check_ids: list[str] = []
    max_points: dict[str, float] = {}
    reserved = {"student_id", *SUMMARY_COLUMNS, *IDENTITY_COLUMNS}
    for result in results:
        for check in result.checks:
            if check.check_id in reserved:
                raise ValueError(f"check id {check.check_id!r} clashes with a gradebook column name")
            if check.check_id not in max_points:
                check_ids.append(check.check_id)
                max_points[check.check_id] = check.max_score
    return check_ids, max_points


def _gradebook_row(result: SubmissionResult, check_ids: list[str]) -> dict[str, object]:
    if result.grader_error is not None:
        return _ungraded_row(result, check_ids)
    by_id = {check.check_id: check for check in result.checks}
    row: dict[str, object] = {"student_id": result.student_id}
    for cid in check_ids:
        check = by_id.get(cid)
        row[cid] = math.nan if check is None or check.status == "pending" else _points(check.score)
    auto = [c.score for c in result.checks if not c.is_manual]
    manual = [c for c in result.checks if c.is_manual]
    any_pending = any(c.status == "pending" for c in manual)
    total = math.fsum(c.score for c in result.checks if c.status != "pending")
    max_total = math.fsum(c.max_score for c in result.checks)
    row.update(
        auto_points=_points(math.fsum(auto)),
        manual_points=math.nan if any_pending else _points(math.fsum(c.score for c in manual)),
        total=_points(total),
        max_points=_points(max_total),
        percent=round(total / max_total * 100, 1) if max_total > 0 else math.nan,
        pending_points=_points(math.fsum(c.max_score for c in manual if c.status == "pending")),
        status=result.status,
        run_status=result.run.status,
        content_hash=result.content_hash[:12],
        # the known mistakes the observations match (advice for the instructor; never points)
        diagnosis="; ".join(d.mistake for d in diagnoses_in(result.extra)),
    )
    return row


def _ungraded_row(result: SubmissionResult, check_ids: list[str]) -> dict[str, object]:
    """A row the grader failed on: no points at all (empty, so an LMS keeps it ungraded, never a zero)."""
    row: dict[str, object] = {"student_id": result.student_id, **{cid: math.nan for cid in check_ids}}
    row.update(auto_points=math.nan, manual_points=math.nan, total=math.nan,
               max_points=_points(math.fsum(c.max_score for c in result.checks)), percent=math.nan,
               pending_points=math.nan, status=result.status, run_status=result.run.status,
               content_hash=result.content_hash[:12])
    return row


def _points(value: float) -> float:
    # + 0.0 turns -0.0 into 0.0 so the CSV never shows "-0.0"
    return round(float(value), POINT_DECIMALS) + 0.0


# ---------------------------------------------------------------------- manual scores


def apply_manual_scores(results: Iterable[SubmissionResult], manual: pd.DataFrame) -> list[SubmissionResult]:
    """Return the results with TA scores filled into their manual items.

    `manual` has columns ``student_id``, ``item_id``, ``points`` and optionally ``grader``,
    ``comment`` and ``assignment`` (rows of another assignment are ignored), as returned by
    `ResultStore.manual_scores`. A scored item becomes status "manual" with the points clipped
    to [0, max]; the comment becomes its student-facing message and the grader's name goes to
    its instructor-facing details. Raises ValueError naming any student id or item id that does
    not match a manual item of the results, and on duplicate or missing (NaN) scores.
    """
    results = list(results)
    rows = _manual_rows(manual, {r.assignment for r in results})
    by_student = {r.student_id: r for r in results}
    _validate_manual_rows(rows, by_student)
    scores: dict[tuple[str, str], dict[str, object]] = {(r["student_id"], r["item_id"]): r for r in rows}
    return [_with_manual(result, scores) for result in results]


def _manual_rows(manual: pd.DataFrame, assignments: set[str]) -> list[dict[str, object]]:
    missing = {"student_id", "item_id", "points"} - set(manual.columns)
    if missing:
        raise ValueError(f"manual scores lack the column(s) {sorted(missing)}")
    if "assignment" in manual.columns:
        manual = manual[manual["assignment"].isin(assignments)]
    rows = []
    for record in manual.to_dict("records"):
        rows.append(
            {
                "student_id": str(record["student_id"]),
                "item_id": str(record["item_id"]),
                "points": float(record["points"]),
                "grader": _text(record.get("grader")),
                "comment": _text(record.get("comment")),
            }
        )
    return rows


def _text(value: object) -> str:
    # pandas gives NaN for empty cells of a CSV the TA may have edited by hand
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _validate_manual_rows(rows: list[dict[str, object]], by_student: dict[str, SubmissionResult]) -> None:
    unknown_students = sorted({str(r["student_id"]) for r in rows} - set(by_student))
    if unknown_students:
        raise ValueError(f"manual scores for unknown student id(s): {', '.join(unknown_students)}")
    unknown_items = sorted(
        f"{r['student_id']}/{r['item_id']}"
        for r in rows
        if r["item_id"] not in {c.check_id for c in by_student[str(r["student_id"])].checks if c.is_manual}
    )
    if unknown_items:
        raise ValueError(f"manual scores for unknown manual item(s) (student/item): {', '.join(unknown_items)}")
    counts = Counter(f"{r['student_id']}/{r['item_id']}" for r in rows)
    duplicates = sorted(key for key, n in counts.items() if n > 1)
    if duplicates:
        raise ValueError(f"more than one manual score for: {', '.join(duplicates)}")
    missing = sorted(f"{r['student_id']}/{r['item_id']}" for r in rows if math.isnan(float(r["points"])))
    if missing:
        raise ValueError(f"manual score is empty (NaN) for: {', '.join(missing)}")


def _with_manual(result: SubmissionResult, scores: dict[tuple[str, str], dict[str, object]]) -> SubmissionResult:
    checks = tuple(_score_item(check, scores.get((result.student_id, check.check_id))) for check in result.checks)
    return result if checks == result.checks else replace(result, checks=checks)


def _score_item(check: CheckResult, score: dict[str, object] | None) -> CheckResult:
    if score is None or not check.is_manual:
        return check
    points = min(max(float(score["points"]), 0.0), check.max_score)  # type: ignore[arg-type]
    details = {**check.details, "graded_by": score["grader"], "points_entered": score["points"]}
    return replace(check, status="manual", score=points, message=str(score["comment"]), details=details)
