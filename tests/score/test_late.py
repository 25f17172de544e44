"""The late policy: flag only, or a per-day penalty with a cap, visible as its own line and never below zero."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.results.check import CheckResult
from grader.discover.submission import LmsIdentity
from grader.score.late import LatePolicy, LatePolicyError, apply_late_policy, lateness, load_late_policy
from grader.results.submission import RunReport, SubmissionResult

FILES = Path(__file__).parent / "files"


def result(score: float) -> SubmissionResult:
    check = CheckResult("c", "C", "1", "passed" if score else "failed", score, 10.0)
    return SubmissionResult("ada", "hw", (), "h", RunReport("ok"), (check,))


def test_days_are_counted_from_the_hand_in_time():
    policy = load_late_policy(FILES / "late_per_day.toml")
    on_time = LmsIdentity("1", submitted_at="2026-12-01 00:03:00.000000000 -08:00")  # inside the grace
    assert lateness(on_time, policy).days is None
    two_days = LmsIdentity("1", submitted_at="2026-12-02T09:00:00-08:00")
    assert lateness(two_days, policy).days == 2 and lateness(two_days, policy).measured


def test_a_late_flag_without_time_counts_one_day():
    late = lateness(LmsIdentity("1", late=True), LatePolicy())
    assert (late.days, late.measured) == (1, False)
    assert lateness(LmsIdentity("1"), LatePolicy()).days is None


def test_per_day_penalty_is_capped_and_shown():
    policy = load_late_policy(FILES / "late_per_day.toml")
    late = lateness(LmsIdentity("1", submitted_at="2026-12-04T09:00:00-08:00"), policy)  # 4 days: 40 % -> cap 25 %
    penalised = apply_late_policy(result(8.0), late, policy)
    line = penalised.checks[-1]
    assert line.check_id == "late_penalty" and line.score == -2.5 and line.max_score == 0
    assert "4 days after the due date" in line.message and "25%" in line.message
    assert penalised.score == 5.5 and penalised.max_score == 10


def test_penalty_never_takes_a_total_below_zero():
    policy = load_late_policy(FILES / "late_per_day.toml")
    late = lateness(LmsIdentity("1", submitted_at="2026-12-02T09:00:00-08:00"), policy)
    assert apply_late_policy(result(0.0), late, policy).score == 0


def test_flag_policy_changes_no_points_but_says_so():
    flagged = apply_late_policy(result(8.0), lateness(LmsIdentity("1", late=True), LatePolicy()), LatePolicy())
    assert flagged.score == 8.0 and "without taking points off" in flagged.notes[-1]


def test_bad_policy_is_explained():
    with pytest.raises(LatePolicyError, match="policy must be one of flag, per_day"):
        load_late_policy(FILES / "late_bad.toml")
