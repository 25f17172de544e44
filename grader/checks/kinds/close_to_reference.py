"""Values against the reference entry by entry: |yours - reference| <= atol + rtol * |reference|.

`match_reference` is normwise (one relative error for the whole array), which hides errors in small entries
next to large ones (a Hessian whose entries span four orders of magnitude, weights of x^0 next to x^3).
This kind judges every entry on its own scale, like numpy.allclose, with an absolute floor `atol` for
entries that should be near zero.
"""
from __future__ import annotations

import numpy as np

from grader.checks.context import CheckContext, call_of, what_of
from grader.checks.explain import number, scale_pattern
from grader.checks.judgement import CaseVerdict
from grader.checks.kinds.compare import _rtol, _shape_problem
from grader.rubric import CheckSpec


def judge_close_to_reference(spec: CheckSpec, ctx: CheckContext, key: str, against: str | None) -> CaseVerdict:
    student, reference = ctx.pair(key)
    problem = _shape_problem(student, reference.array.shape, lenient_scalars=True)
    if problem:
        return problem
    observed = np.asarray(student.array, dtype=np.float64).reshape(reference.array.shape)
    expected = np.asarray(reference.array, dtype=np.float64)
    rtol, atol = _rtol(spec, student), float(spec.params.get("atol", 0.0))
    allowed = atol + rtol * np.abs(expected)
    excess = np.where(np.isfinite(observed), np.abs(observed - expected) - allowed, np.inf)
    if excess.size == 0 or np.all(excess <= 0):
        return CaseVerdict(True)
    index = np.unravel_index(int(np.argmax(excess)), excess.shape)
    where = "[" + ", ".join(str(int(i)) for i in index) + "]" if index else ""
    bad = int(np.sum(excess > 0))
    shown = f"yours {number(observed[index])}, expected {number(expected[index])} +- {number(allowed[index])}"
    if excess.size == 1:
        message = f"{call_of(student)}: {what_of(student)} is off ({shown})"
    else:
        message = (f"{call_of(student)}: {bad} of {excess.size} entries of {what_of(student)} are off "
                   f"(tolerance {number(atol)} + {number(rtol)} x |expected|; worst at {where}: {shown})")
    pattern = scale_pattern(observed, expected) if np.all(np.isfinite(observed)) else ""
    return CaseVerdict(
        False,
        message + (f". Note: {pattern}." if pattern else ""),
        observed=shown if excess.size == 1 else f"at {where}: {shown}",
        details={"entries_off": bad, "atol": atol, "rtol": rtol},
    )
