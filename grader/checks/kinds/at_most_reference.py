"""An upper bound relative to the reference: yours <= factor * the reference's value, and finite.

For quantities where lower is better and the reference shows what is reachable: a final training loss
("at most 1.5 times the loss the reference's learning rate reaches"), an error, a number of steps.
"""
from __future__ import annotations

import numpy as np

from grader.checks.context import CheckContext, call_of, what_of
from grader.checks.explain import number
from grader.checks.judgement import CaseVerdict
from grader.rubric import CheckSpec


def judge_at_most_reference(spec: CheckSpec, ctx: CheckContext, key: str, against: str | None) -> CaseVerdict:
    student, reference = ctx.pair(key)
    if student.array is None:
        return CaseVerdict(False, f"{call_of(student)} gave {student.value!r} for {what_of(student)}; expected a number",
                           observed=repr(student.value)[:80])
    factor = float(spec.params.get("factor", 1.0))
    observed = np.asarray(student.array, dtype=np.float64).ravel()
    bound = factor * np.asarray(reference.array, dtype=np.float64).ravel()
    if observed.size != bound.size:
        return CaseVerdict(False, f"{call_of(student)} gave {observed.size} values for {what_of(student)}; expected {bound.size}",
                           observed=f"{observed.size} values")
    bad = ~(observed <= bound)  # NaN fails too
    if not np.any(bad):
        return CaseVerdict(True, details={"value": float(observed.max()), "bound": float(bound.max())})
    i = int(np.argmax(bad))
    shown = number(observed[i]) if np.isfinite(observed[i]) else "not finite"
    return CaseVerdict(
        False,
        f"{call_of(student)}: {what_of(student)} was {shown}; expected at most {number(factor)} x the reference's "
        f"{number(bound[i] / factor)} = {number(bound[i])}",
        observed=shown,
        details={"value": float(observed[i]) if np.isfinite(observed[i]) else None, "bound": float(bound[i]), "factor": factor},
    )
