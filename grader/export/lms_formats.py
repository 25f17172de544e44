"""Grades back into the LMS, each in the format its gradebook import reads (docs/lms.md cites each).

- Canvas gradebook import: `Student`, `ID`, `SIS User ID`, `SIS Login ID`, `Section`, then one column per
  assignment named like the assignment (with Canvas's assignment id in parentheses to update an existing
  one). Canvas makes a new assignment of any column it does not know, so nothing else is written; a blank
  grade leaves the LMS's grade as it is.
- Moodle assignment grading worksheet (offline grading): `Identifier` ("Participant <id>"), `Full name`,
  `Email address`, `Status`, `Grade`, `Maximum Grade`, `Grade can be changed`, `Last modified (submission)`,
  `Last modified (grade)`, `Feedback comments`.
- Brightspace (D2L) grade import: `OrgDefinedId` and/or `Username`, `<item> Points Grade`, and the
  `End-of-Line Indicator` column holding `#`.
- csv: the grader's own: one row per roster entry with id, name, section, status and grade.

Rows follow the roster: one per enrolled student, in roster order; a student without a hand-in keeps a
blank grade. Every text cell goes through `grader.export.cells.text_cell`.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from grader.discover.roster import Roster, RosterEntry
from grader.export.cells import points_cell, text_cell
from grader.atomic import write_text_atomic

FORMATS = ("canvas", "moodle", "brightspace", "csv")
PENDING = "pending-manual"


class ExportError(Exception):
    """The export cannot be written as asked (no roster, no ids the LMS needs, unknown format)."""


@dataclass(frozen=True)
class ExportRow:
    """One roster entry with its grade (None: no grade to send) and the gradebook status."""

    entry: RosterEntry
    grade: float | None
    status: str
    max_points: float | None


@dataclass(frozen=True)
class ExportSummary:
    """What the export wrote and what it held back, for the command to say."""

    rows: int
    graded: int
    #: roster ids whose row has manual items still pending and was held back (grade left blank)
    pending_withheld: tuple[str, ...] = ()
    #: roster ids whose pending row was exported with its points so far (--allow-pending)
    pending_exported: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    #: gradebook student ids that match no roster entry, so no LMS row
    not_in_roster: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def export_rows(gradebook: pd.DataFrame, roster: Roster, allow_pending: bool) -> tuple[list[ExportRow], ExportSummary]:
    """Pair each roster entry with its gradebook row (through the `lms_id` column the run wrote)."""
    if "lms_id" not in gradebook.columns:
        raise ExportError("the gradebook has no roster columns: grade with --roster first")
    by_id: dict[str, pd.Series] = {}
    for _, row in gradebook.iterrows():
        if row.get("roster") in ("matched", "missing"):
            for ident in str(row["lms_id"]).split("; "):
                by_id[ident] = row
    rows, withheld, exported, missing = [], [], [], []
    for entry in roster.entries:
        row = by_id.get(entry.id)
        status = "missing" if row is None else str(row["status"])
        grade = None if row is None or pd.isna(row["total"]) or status == "missing" else float(row["total"])
        if status == PENDING:
            (exported if allow_pending else withheld).append(entry.id)
            grade = grade if allow_pending else None
        if status == "missing":
            missing.append(entry.id)
        max_points = None if row is None or pd.isna(row.get("max_points")) else float(row["max_points"])
        rows.append(ExportRow(entry, grade, status, max_points))
    extra = tuple(str(s) for s in gradebook.loc[gradebook.get("roster") == "not in roster", "student_id"]) \
        if "roster" in gradebook.columns else ()
    summary = ExportSummary(len(rows), sum(r.grade is not None for r in rows), tuple(withheld), tuple(exported),
                            tuple(missing), extra)
    return rows, summary


def render(rows: list[ExportRow], fmt: str, item: str, max_points: float | None) -> str:
    """The export file's text in format `fmt` for the grade item (assignment column) `item`."""
    writers = {"canvas": _canvas, "moodle": _moodle, "brightspace": _brightspace, "csv": _plain}
    if fmt not in writers:
        raise ExportError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header, lines = writers[fmt](rows, item, max_points)
    writer.writerow(header)
    writer.writerows(lines)
    return buffer.getvalue()


def write_export(rows: list[ExportRow], dest: Path, fmt: str, item: str, max_points: float | None) -> None:
    """Write the export atomically (UTF-8, "\\n" line ends, RFC 4180 quoting)."""
    write_text_atomic(Path(dest), render(rows, fmt, item, max_points))


def _canvas(rows: list[ExportRow], item: str, max_points: float | None):
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", item]
    lines = [[text_cell(r.entry.name), text_cell(r.entry.id), text_cell(r.entry.sis_user_id),
              text_cell(r.entry.sis_login_id or r.entry.username), text_cell(r.entry.section), points_cell(r.grade)]
             for r in rows]
    return header, lines


def _moodle(rows: list[ExportRow], item: str, max_points: float | None):
    header = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade", "Grade can be changed",
              "Last modified (submission)", "Last modified (grade)", "Feedback comments"]
    lines = []
    for r in rows:
        ident = r.entry.id if r.entry.id.lower().startswith("participant") else f"Participant {r.entry.id}"
        status = "No submission" if r.status == "missing" else "Submitted for grading"
        lines.append([text_cell(ident), text_cell(r.entry.name), text_cell(r.entry.email), status, points_cell(r.grade),
                      points_cell(r.max_points if r.max_points is not None else max_points), "Yes", "-", "-", ""])
    return header, lines


def _brightspace(rows: list[ExportRow], item: str, max_points: float | None):
    if not all(r.entry.org_defined_id or r.entry.username for r in rows):
        lacking = [r.entry.id for r in rows if not (r.entry.org_defined_id or r.entry.username)]
        raise ExportError(f"Brightspace needs an org_defined_id or username for every student; the roster has neither "
                          f"for {', '.join(lacking[:5])} (map them with --roster-columns)")
    header = ["OrgDefinedId", "Username", f"{item} Points Grade", "End-of-Line Indicator"]
    lines = [[text_cell(r.entry.org_defined_id), text_cell(r.entry.username), points_cell(r.grade), "#"] for r in rows]
    return header, lines


def _plain(rows: list[ExportRow], item: str, max_points: float | None):
    header = ["id", "name", "email", "section", "status", "grade", "max_points"]
    lines = [[text_cell(r.entry.id), text_cell(r.entry.name), text_cell(r.entry.email), text_cell(r.entry.section),
              r.status, points_cell(r.grade), points_cell(r.max_points if r.max_points is not None else max_points)]
             for r in rows]
    return header, lines


def grading_folder(results: Path, assignment: str | None) -> Path:
    """The folder holding one assignment's gradebook.csv: `results` itself, `results/<assignment>`, or the only one."""
    if (results / "gradebook.csv").is_file():
        return results
    if assignment:
        folder = results / assignment
        if not (folder / "gradebook.csv").is_file():
            raise ExportError(f"no gradebook at {folder / 'gradebook.csv'}: run `grader run ... --out {results}` first")
        return folder
    found = sorted(p.parent for p in results.glob("*/gradebook.csv"))
    if len(found) != 1:
        names = ", ".join(p.name for p in found) or "none"
        raise ExportError(f"{results} holds {len(found)} gradebooks ({names}); pass --assignment")
    return found[0]


def export_grades(results: Path, dest: Path, fmt: str, assignment: str | None = None, roster: Roster | None = None,
                  item: str | None = None, allow_pending: bool = False) -> ExportSummary:
    """Read a run's gradebook (and the roster it kept), write `dest` in the LMS's format; what was written."""
    from grader.discover.roster import ROSTER_FILE, read_roster_copy

    folder = grading_folder(Path(results), assignment)
    gradebook = pd.read_csv(folder / "gradebook.csv", dtype={"student_id": str, "lms_id": str, "name": str,
                                                              "section": str, "roster": str}, keep_default_na=False,
                            na_values={"total": [""], "max_points": [""]})
    roster = roster or read_roster_copy(folder / ROSTER_FILE)
    rows, summary = export_rows(gradebook, roster, allow_pending)
    max_points = next((r.max_points for r in rows if r.max_points is not None), None)
    write_export(rows, dest, fmt, item or folder.name, max_points)
    return summary
