"""A late penalty is applied where the student and the instructor see it: report line and gradebook column."""
from __future__ import annotations

from pathlib import Path

from grader.results.check import CheckResult
from grader.discover.submission import LmsIdentity, Submission
from grader.report.roster_rows import ClassList
from grader.run import Outputs, publish
from grader.score.late import load_late_policy, lateness
from grader.results.submission import RunReport, SubmissionResult

POLICY = Path(__file__).parent.parent / "score" / "files" / "late_per_day.toml"


def test_penalty_shows_in_report_and_gradebook(tmp_path):
    policy = load_late_policy(POLICY)
    identity = LmsIdentity("7", "Ada", source="gradescope", submitted_at="2026-12-02T09:00:00-08:00")
    submission = Submission("ada_7", tmp_path, (), None, identity=identity)
    checks = (CheckResult("c1", "Forward", "1", "passed", 10.0, 10.0),)
    results = [SubmissionResult("ada_7", "hw", ("ada/hw.py",), "h" * 12, RunReport("ok"), checks)]
    classes = ClassList.of([submission], None, {"ada_7": lateness(identity, policy)})
    book = publish(results, Outputs(tmp_path / "out"), False, {"1": "Part 1"}, classes, policy)
    row = book.set_index("student_id").loc["ada_7"]
    assert (row["late_penalty"], row["total"], row["max_points"], row["late"]) == (-2.0, 8.0, 10.0, "2 d")
    report = (tmp_path / "out" / "feedback" / "ada_7.md").read_text()
    assert "Late hand-in" in report and "2 days after the due date" in report and "20%" in report
