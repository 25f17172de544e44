"""Late hand-ins: the LMS's late flag kept, and the assignment's late policy applied where everyone sees it.

The rubric may hold a `[late]` table (docs/lms.md):

    [late]
    policy = "per_day"          # "flag" (default: late hand-ins are marked, no points change) or "per_day"
    penalty_per_day = 0.10      # fraction of the assignment's points per started day late
    max_penalty = 0.30          # the most a late hand-in loses, as a fraction of the points
    due = "2026-11-30T23:59:00-08:00"   # to count days from the hand-in time, where the download gives one
    grace_minutes = 5

A penalty is a line of its own in the student's report ("late_penalty", with the days and the rule) and
a column of the gradebook; it never takes a total below zero. When the LMS only says "late" (Canvas,
whose download carries no time), the hand-in counts as one day late and the report says why.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from grader.results.check import CheckResult
from grader.discover.submission import LmsIdentity
from grader.results.submission import SubmissionResult

PENALTY_ID = "late_penalty"
PENALTY_SECTION = "late"
POLICIES = ("flag", "per_day")


class LatePolicyError(ValueError):
    """The rubric's [late] table cannot be used."""


@dataclass(frozen=True)
class LatePolicy:
    policy: str = "flag"
    penalty_per_day: float = 0.0
    max_penalty: float = 1.0
    due: datetime | None = None
    grace_minutes: float = 0.0


@dataclass(frozen=True)
class Lateness:
    """How late one hand-in was: None days when it was on time."""

    days: int | None
    #: the days were counted from the hand-in time (False: only the LMS's late flag was known)
    measured: bool = False


def load_late_policy(rubric_path: Path) -> LatePolicy:
    """The [late] table of a rubric file, or the default (flag only) when it has none."""
    data = tomllib.loads(Path(rubric_path).read_text(encoding="utf-8"))
    table = data.get("late", {})
    where = f"{rubric_path}: [late]"
    if not isinstance(table, dict):
        raise LatePolicyError(f"{where} must be a table")
    unknown = set(table) - {"policy", "penalty_per_day", "max_penalty", "due", "grace_minutes"}
    if unknown:
        raise LatePolicyError(f"{where} has unknown field(s) {sorted(unknown)}")
    policy = table.get("policy", "flag")
    if policy not in POLICIES:
        raise LatePolicyError(f"{where} policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    per_day, cap = float(table.get("penalty_per_day", 0.0)), float(table.get("max_penalty", 1.0))
    if not (0 <= per_day <= 1 and 0 <= cap <= 1):
        raise LatePolicyError(f"{where} penalty_per_day and max_penalty are fractions between 0 and 1")
    if policy == "per_day" and per_day == 0:
        raise LatePolicyError(f"{where} policy = \"per_day\" needs penalty_per_day (e.g. 0.1 for 10 % a day)")
    due = table.get("due")
    if isinstance(due, str):
        try:
            due = datetime.fromisoformat(due)
        except ValueError:
            raise LatePolicyError(f"{where} due must be an ISO 8601 time with a UTC offset, e.g. 2026-11-30T23:59:00-08:00") from None
    if due is not None and (not isinstance(due, datetime) or due.tzinfo is None):
        raise LatePolicyError(f"{where} due needs a UTC offset (e.g. 2026-11-30T23:59:00-08:00)")
    return LatePolicy(policy, per_day, cap, due, float(table.get("grace_minutes", 0.0)))


def lateness(identity: LmsIdentity | None, policy: LatePolicy) -> Lateness:
    """Days late (started days), from the hand-in time and due date where both are known, else from the flag."""
    if identity is None:
        return Lateness(None)
    submitted = _time(identity.submitted_at)
    if submitted is not None and policy.due is not None:
        over = submitted - policy.due - timedelta(minutes=policy.grace_minutes)
        if over > timedelta(0):
            return Lateness(math.ceil(over / timedelta(days=1)), measured=True)
        return Lateness(None, measured=True)
    return Lateness(1 if identity.late else None)


def _time(text: str) -> datetime | None:
    """ISO 8601, or Gradescope's "2026-11-30 22:15:04.000000000 -08:00" (nanoseconds, spaced offset)."""
    if not text:
        return None
    parts = text.strip().split(" ")
    if len(parts) == 3:
        day, clock, offset = parts
        text = f"{day}T{clock.split('.')[0]}{offset[:3]}:{offset[3:]}" if len(offset) == 5 else text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def apply_late_policy(result: SubmissionResult, late: Lateness, policy: LatePolicy) -> SubmissionResult:
    """The result with its late note, and under "per_day" a `late_penalty` line taking the points off."""
    if late.days is None:
        return result
    how = (f"{late.days} day{'s' if late.days != 1 else ''} after the due date" if late.measured
           else "late, as the course's LMS marked it (the download gives no time, so this counts as one day)")
    if policy.policy == "flag":
        note = f"Handed in {how}. This assignment marks late work without taking points off."
        return replace(result, notes=(*result.notes, note))
    fraction = min(policy.penalty_per_day * late.days, policy.max_penalty)
    earned = result.score
    penalty = min(fraction * result.max_score, max(earned, 0.0))
    rule = (f"{policy.penalty_per_day:.0%} of the points per started day late, at most {policy.max_penalty:.0%}")
    check = CheckResult(
        check_id=PENALTY_ID, title="Late hand-in", section=PENALTY_SECTION, status="failed",
        score=-round(penalty, 4) + 0.0, max_score=0.0,
        message=f"Handed in {how}: {fraction:.0%} of the assignment's points are taken off.",
        expected="a hand-in before the due date", observed=how, hint=f"The late policy is {rule}.",
        details={"days_late": late.days, "measured": late.measured, "fraction": fraction},
    )
    return replace(result, checks=(*result.checks, check))
