"""A terminal summary of a gradebook for instructors: who got what, and which checks most students miss."""
from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.report.gradebook import GRADER_ERRORS_ATTR, MAX_POINTS_ATTR, check_columns
from grader.report.inert import inert_text
from grader.report.text import fmt_points
from grader.results.diagnosis import Diagnosis, count_diagnoses

_STATUS_STYLE = {
    "graded": "green",
    "pending-manual": "yellow",
    "needs-review": "yellow",
    "timeout": "red",
    "crashed": "red",
    "memory": "red",
    "not-gradable": "red",
    "harness_error": "magenta",
    "grader-error": "magenta",
    "missing": "red",
}
# a score this close to the maximum counts as full points (float sums of partial credit)
_FULL_TOLERANCE = 1e-6


def print_summary(gradebook: pd.DataFrame, console: Console) -> None:
    """Print one row per student (total / max, percent, status), then the full-points rate per check."""
    if gradebook.empty:
        console.print("No graded submissions.")
        return
    console.print(_student_table(gradebook))
    review = int((gradebook["status"] == "needs-review").sum())
    if review:
        console.print(f"{review} submission{'s' if review != 1 else ''} need{'s' if review == 1 else ''} review: the script "
                      "defines none of the contract's names; its feedback lists what it printed, drew and left in globals.")
    rates = check_pass_rates(gradebook)
    if not rates.empty:
        console.print(_rate_table(rates))
    errors = gradebook.attrs.get(GRADER_ERRORS_ATTR) or {}
    if errors:
        console.print(_grader_error_table(errors))
    counts = diagnosis_counts(gradebook)
    if counts:
        console.print(_diagnosis_table(counts, len(gradebook)))


def _grader_error_table(errors: dict[str, str]) -> Table:
    """The rows the grader itself failed on: not the students' doing, graded again on the next run."""
    count = len(errors)
    table = Table(title=f"The grader failed on {count} submission{'s' if count != 1 else ''} "
                        "(not the students' doing; graded again on the next run)", title_style="bold magenta")
    table.add_column("Student")
    table.add_column("Step and error")
    for student, error in sorted(errors.items()):
        table.add_row(Text(str(student)), Text(inert_text(str(error), 300)))
    return table


def diagnosis_counts(gradebook: pd.DataFrame) -> dict[str, int]:
    """Known mistake -> students whose observations match it (from the gradebook's `diagnosis` column), most first."""
    if "diagnosis" not in gradebook.columns:
        return {}
    rows = gradebook[["student_id", "diagnosis"]].dropna(subset=["diagnosis"])
    # the column keeps only the mistakes' names, joined by "; "
    named = ((str(student), [Diagnosis(name, "", (), 0.0) for name in str(cell).split(";")])
             for student, cell in rows.itertuples(index=False))
    return {count.mistake: count.count for count in count_diagnoses(named)}


def _diagnosis_table(counts: dict[str, int], students: int) -> Table:
    table = Table(title="Known mistakes the class made (diagnoses; no points)")
    table.add_column("Known mistake")
    table.add_column("Students", justify="right")
    for name, count in counts.items():
        table.add_row(Text(name), f"{count}/{students}")
    return table


def _student_table(gradebook: pd.DataFrame) -> Table:
    table = Table(title=f"Gradebook: {len(gradebook)} student{'s' if len(gradebook) != 1 else ''}")
    table.add_column("Student")
    table.add_column("Total / max", justify="right")
    table.add_column("%", justify="right")
    table.add_column("Status")
    for row in gradebook.itertuples(index=False):
        if math.isnan(row.total):
            total = "no hand-in" if row.status == "missing" else f"– / {fmt_points(row.max_points)}"
        else:
            total = f"{fmt_points(row.total)} / {fmt_points(row.max_points)}"
        if row.pending_points and not math.isnan(row.pending_points):
            total += f" (+{fmt_points(row.pending_points)} pending)"
        percent = "" if math.isnan(row.percent) else f"{row.percent:.1f}"
        status = str(row.status)
        # Text(), not a markup string: a student id like "[x]" must be printed as given
        table.add_row(Text(str(row.student_id)), total, percent, Text(status, style=_STATUS_STYLE.get(status, "")))
    return table


def check_pass_rates(gradebook: pd.DataFrame) -> pd.DataFrame:
    """Per check: max points, students with full points, students scored (pending items excluded).

    The maxima come from ``gradebook.attrs["check_max_points"]`` (set by `build_gradebook`); for a
    gradebook read back from CSV, where attrs are lost, the best score in the column is used.
    """
    max_points = gradebook.attrs.get(MAX_POINTS_ATTR, {})
    rows = []
    for column in check_columns(gradebook):
        scores = gradebook[column].dropna()
        best = float(max_points.get(column, scores.max() if len(scores) else math.nan))
        full = int((scores >= best - _FULL_TOLERANCE).sum()) if len(scores) else 0
        rows.append({"check_id": column, "max_points": best, "full": full, "scored": len(scores)})
    return pd.DataFrame(rows, columns=["check_id", "max_points", "full", "scored"])


def _rate_table(rates: pd.DataFrame) -> Table:
    table = Table(title="Full points per check")
    table.add_column("Check")
    table.add_column("Points", justify="right")
    table.add_column("Full points", justify="right")
    table.add_column("Rate", justify="right")
    for row in rates.itertuples(index=False):
        rate = f"{row.full / row.scored * 100:.0f}%" if row.scored else "–"
        # red highlights the checks most of the class fails: the first place to look for a bad check or a bad lecture
        style = "red" if row.scored and row.full / row.scored < 0.5 else ""
        table.add_row(
            Text(str(row.check_id)),
            "" if math.isnan(row.max_points) else fmt_points(row.max_points),
            f"{row.full}/{row.scored}",
            Text(rate, style=style),
        )
    return table
