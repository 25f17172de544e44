"""The gradebook seen through the class roster: LMS identities, late flags, and a row for every enrolled student.

`with_lms_columns` adds, right after `student_id`, the columns of `IDENTITY_COLUMNS`: the roster's name,
id(s) and section for matched hand-ins, the LMS's own for the others, where the hand-in stands against
the roster (`matched`, `not in roster`, or `missing` for an enrolled student without a hand-in) and
how late it was. Enrolled students without a hand-in get a row with status `missing` and no points,
so no one silently drops out of the gradebook or an export.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from grader.discover.roster import RosterEntry, RosterMatch
from grader.discover.submission import LmsIdentity, Submission
from grader.report.gradebook import IDENTITY_COLUMNS
from grader.score.late import Lateness

#: attrs key: {"unmatched": [student ids], "missing": [(id, name)]} for summaries
ROSTER_ATTR = "roster"
MISSING = "missing"


@dataclass(frozen=True)
class ClassList:
    """What discovery and the roster know about the people behind the hand-ins of one run."""

    identities: dict[str, LmsIdentity] = field(default_factory=dict)
    lateness: dict[str, Lateness] = field(default_factory=dict)
    match: RosterMatch | None = None

    @classmethod
    def of(cls, submissions: list[Submission], match: RosterMatch | None, lateness: Mapping[str, Lateness]) -> "ClassList":
        identities = {s.student_id: s.identity for s in submissions if s.identity is not None}
        return cls(identities, dict(lateness), match)

    @property
    def used(self) -> bool:
        return bool(self.identities) or self.match is not None


def with_lms_columns(gradebook: pd.DataFrame, classes: ClassList, max_points: float) -> pd.DataFrame:
    """The gradebook with identity columns and one `missing` row per enrolled student without a hand-in."""
    if not classes.used:
        return gradebook
    book = gradebook.copy()
    columns = {name: [] for name in IDENTITY_COLUMNS}
    for student_id in book["student_id"]:
        for name, value in _identity_row(str(student_id), classes).items():
            columns[name].append(value)
    for offset, name in enumerate(IDENTITY_COLUMNS, start=1):
        book.insert(offset, name, columns[name])
    missing = classes.match.missing if classes.match else ()
    if missing:
        taken = set(book["student_id"])
        rows = [_missing_row(entry, book.columns, max_points, taken) for entry in missing]
        book = pd.concat([book, pd.DataFrame(rows, columns=book.columns)], ignore_index=True)
        book = book.astype({c: gradebook[c].dtype for c in gradebook.columns if gradebook[c].dtype == "float64"})
    book.attrs = dict(gradebook.attrs)
    book.attrs[ROSTER_ATTR] = {
        "unmatched": list(classes.match.unmatched) if classes.match else [],
        "missing": [(e.id, e.name) for e in missing],
    }
    return book


def _identity_row(student_id: str, classes: ClassList) -> dict[str, str]:
    identity = classes.identities.get(student_id)
    entries = classes.match.matched.get(student_id, ()) if classes.match else ()
    late = classes.lateness.get(student_id)
    late_text = "" if late is None or late.days is None else (f"{late.days} d" if late.measured else "late")
    if entries:
        return {"name": "; ".join(e.name for e in entries), "lms_id": "; ".join(e.id for e in entries),
                "section": "; ".join(sorted({e.section for e in entries if e.section})), "roster": "matched",
                "late": late_text}
    return {"name": identity.name if identity else "", "lms_id": identity.lms_id if identity else "", "section": "",
            "roster": "not in roster" if classes.match else "", "late": late_text}


def _missing_row(entry: RosterEntry, columns: pd.Index, max_points: float, taken: set[str]) -> dict[str, object]:
    from grader.discover.handin import student_id_for

    student_id = student_id_for(f"{entry.name}_{entry.id}" if entry.name else entry.id)
    while student_id in taken:  # never the id of a real hand-in
        student_id += "_missing"
    taken.add(student_id)
    row: dict[str, object] = {c: math.nan for c in columns}
    row.update(student_id=student_id, name=entry.name, lms_id=entry.id, section=entry.section, roster=MISSING, late="",
               auto_points=math.nan, manual_points=math.nan, total=math.nan, max_points=max_points, percent=math.nan,
               pending_points=0.0, status=MISSING, run_status="", content_hash="")
    return row


def roster_lines(gradebook: pd.DataFrame) -> list[str]:
    """Plain sentences for the run summary: hand-ins matching nobody, enrolled students without a hand-in."""
    info = gradebook.attrs.get(ROSTER_ATTR)
    if not info:
        return []
    lines = []
    if info["unmatched"]:
        lines.append(f"{len(info['unmatched'])} hand-in(s) match no roster entry (graded, kept in the gradebook "
                     f"as 'not in roster'): {', '.join(info['unmatched'])}")
    if info["missing"]:
        who = ", ".join(f"{name} ({ident})" if name else ident for ident, name in info["missing"])
        lines.append(f"{len(info['missing'])} enrolled student(s) without a hand-in (status 'missing'): {who}")
    return lines
