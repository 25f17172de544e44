"""Per-case kinds: shapes, values against the reference, self-consistency, and bounds."""
from __future__ import annotations

import numpy as np

from grader.checks.context import CheckContext, call_of, dtype_of, what_of
from grader.checks.explain import compare, number, shape_text
from grader.checks.judgement import CaseVerdict
from grader.observations import Observation
from grader.rubric import CheckSpec


def _rtol(spec: CheckSpec, *observations: Observation) -> float:
    if any(dtype_of(o) == "float32" for o in observations) and "rtol_float32" in spec.params:
        return float(spec.params["rtol_float32"])
    return float(spec.params.get("rtol", 1e-6))


def _array(observation: Observation) -> np.ndarray | None:
    return observation.array


def _shape_problem(student: Observation, expected_shape: tuple[int, ...], lenient_scalars: bool) -> CaseVerdict | None:
    array = _array(student)
    if array is None:
        return CaseVerdict(False, f"{call_of(student)} gave {student.value!r} for {what_of(student)}; expected an array",
                           observed=repr(student.value)[:80])
    if array.shape == tuple(expected_shape):
        return None
    if lenient_scalars and array.size == 1 and int(np.prod(expected_shape)) == 1:
        return None
    return CaseVerdict(
        False,
        f"{call_of(student)} gave {what_of(student)} of shape {shape_text(array.shape)}; expected {shape_text(tuple(expected_shape))}",
        observed=f"shape {shape_text(array.shape)}",
        details={"shape": list(array.shape), "expected_shape": list(expected_shape)},
    )


def judge_shape(spec: CheckSpec, ctx: CheckContext, key: str, against: str | None) -> CaseVerdict:
    student, reference = ctx.pair(key)
    problem = _shape_problem(student, reference.array.shape, lenient_scalars=False)
    return problem or CaseVerdict(True)


def judge_match_reference(spec: CheckSpec, ctx: CheckContext, key: str, against: str | None) -> CaseVerdict:
    student, reference = ctx.pair(key)
    return _values_verdict(student, reference, "the reference", _rtol(spec, student))


def judge_consistent(spec: CheckSpec, ctx: CheckContext, key: str, against: str | None) -> CaseVerdict:
    student, other = ctx.student.items[key], ctx.student.items[against]
    return _values_verdict(student, other, what_of(other), _rtol(spec, student, other))


def _values_verdict(student: Observation, expected: Observation, expected_name: str, rtol: float) -> CaseVerdict:
    """Shapes first, then values within `rtol`, explained with the worst entry and any constant factor."""
    expected_shape = expected.array.shape if expected.array is not None else ()
    problem = _shape_problem(student, expected_shape, lenient_scalars=True)
    if problem:
        return problem
    result = compare(student.array.reshape(expected_shape), expected.array, rtol)
    if result.ok:
        return CaseVerdict(True)
    return CaseVerdict(
        False,
        f"{call_of(student)}: {what_of(student)} and {expected_name} differ ({result.error_text} > {number(rtol)}; "
        f"{result.worst}){_pattern(result)}",
        observed=f"{result.error_text}; {result.worst}",
        details={"relative_error": _finite(result.relative_error), "rtol": rtol},
    )


def judge_within(spec: CheckSpec, ctx: CheckContext, key: str, against: str | None) -> CaseVerdict:
    student = ctx.student.items[key]
    if student.array is None:
        return CaseVerdict(False, f"{call_of(student)} gave {student.value!r}; expected numbers", observed=repr(student.value)[:80])
    low, high = float(spec.params.get("low", -np.inf)), float(spec.params.get("high", np.inf))
    values = student.array.ravel()
    bad = values[~((values >= low) & (values <= high))]
    if bad.size == 0:
        return CaseVerdict(True)
    shown = ", ".join(number(v) for v in bad[:3])
    return CaseVerdict(
        False,
        f"{call_of(student)}: {what_of(student)} was {shown}; expected values in [{number(low)}, {number(high)}]",
        observed=shown,
    )


def _pattern(result) -> str:
    return f". Note: {result.pattern}." if result.pattern else ""


def _finite(x: float) -> float | None:
    return x if np.isfinite(x) else None
