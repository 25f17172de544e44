"""Exactly the reference's value, for observations that are descriptions rather than numbers.

E.g. a model's architecture recorded as a list of layer names ("Linear(1, 20)", "ReLU", ...), a returned
type, a string. Both sides are JSON values (arrays are compared as lists); the message shows both.
"""
from __future__ import annotations

from typing import Any

from grader.checks.context import CheckContext, call_of, what_of
from grader.checks.judgement import CaseVerdict
from grader.rubric import CheckSpec

MAX_SHOWN = 300


def _value(observation) -> Any:
    return observation.array.tolist() if observation.array is not None else observation.value


def _text(value: Any) -> str:
    if isinstance(value, list):
        text = ", ".join(str(v) for v in value)
    else:
        text = str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def judge_equal_to_reference(spec: CheckSpec, ctx: CheckContext, key: str, against: str | None) -> CaseVerdict:
    student, reference = ctx.pair(key)
    yours, expected = _value(student), _value(reference)
    if yours == expected:
        return CaseVerdict(True)
    difference = ""
    if isinstance(yours, list) and isinstance(expected, list):
        index = next((i for i, (a, b) in enumerate(zip(yours, expected)) if a != b), min(len(yours), len(expected)))
        got = _text(yours[index]) if index < len(yours) else "nothing"
        want = _text(expected[index]) if index < len(expected) else "nothing"
        difference = f" First difference at position {index + 1}: yours {got}, expected {want}."
    return CaseVerdict(
        False,
        f"{call_of(student)}: {what_of(student)} was [{_text(yours)}]; expected [{_text(expected)}].{difference}",
        observed=_text(yours),
    )
