"""The gradebook through the roster: identity columns, and a `missing` row for every student without a hand-in."""
from __future__ import annotations

import math

from grader.results.check import CheckResult
from grader.discover.roster import RosterEntry, RosterMatch
from grader.discover.submission import LmsIdentity, Submission
from grader.report.gradebook import build_gradebook, check_columns
from grader.report.roster_rows import ClassList, roster_lines, with_lms_columns
from grader.score.late import Lateness
from grader.results.submission import RunReport, SubmissionResult


def result(student: str, score: float) -> SubmissionResult:
    return SubmissionResult(student, "hw", (), "h" * 12, RunReport("ok"), (CheckResult("c1", "C1", "1", "passed", score, 2.0),))


def test_identity_columns_and_missing_rows():
    ada = Submission("lovelaceada_1", None, (), None, identity=LmsIdentity("1", "lovelaceada", late=True))  # type: ignore[arg-type]
    cai = Submission("cai_9", None, (), None, identity=LmsIdentity("9", "cai"))  # type: ignore[arg-type]
    alan = RosterEntry("3", "Turing, Alan", section="Lab 1")
    match = RosterMatch({"lovelaceada_1": (RosterEntry("1", "Lovelace, Ada", section="Lab 2"),)}, ("cai_9",), (alan,))
    classes = ClassList.of([ada, cai], match, {"lovelaceada_1": Lateness(1)})
    book = with_lms_columns(build_gradebook([result("lovelaceada_1", 2.0), result("cai_9", 1.0)]), classes, 2.0)
    assert list(book.columns[:6]) == ["student_id", "name", "lms_id", "section", "roster", "late"]
    assert check_columns(book) == ["c1"]  # identity columns are no checks
    rows = book.set_index("lms_id")
    assert rows.loc["1", "roster"] == "matched" and rows.loc["1", "name"] == "Lovelace, Ada" and rows.loc["1", "late"] == "late"
    assert rows.loc["9", "roster"] == "not in roster"
    assert rows.loc["3", "status"] == "missing" and math.isnan(rows.loc["3", "total"]) and rows.loc["3", "max_points"] == 2.0
    lines = roster_lines(book)
    assert "cai_9" in lines[0] and "Turing, Alan (3)" in lines[1]


def test_plain_folders_change_nothing():
    book = build_gradebook([result("ada", 2.0)])
    assert with_lms_columns(book, ClassList(), 2.0) is book
