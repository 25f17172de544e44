"""Consistency needs something to be consistent about.

A check that compares the student with the student's own code (backward against finite differences of
their forward, backward called twice against once, ...) confirms nothing when the compared quantity is
trivially constant: a forward that returns zeros whatever x and W are has all-zero finite differences, and
a backward that returns zeros agrees with them. Such a case earns nothing. The rubric names, per check,
which observations must not be trivially constant (`nontrivial`); for `consistent` checks the `against`
side is always one of them.
"""
from __future__ import annotations

import numpy as np

from grader.checks.context import CheckContext, call_of, what_of
from grader.checks.kinds.compare import CaseVerdict
from grader.rubric import CheckSpec


def is_trivially_constant(values: np.ndarray) -> bool:
    """All entries zero, or (for more than one entry) all equal."""
    array = np.asarray(values, dtype=np.float64)
    if array.size == 0 or not np.all(np.isfinite(array)):
        return False
    return bool(np.all(array == 0) or (array.size > 1 and np.all(array == array.ravel()[0])))


def guard_keys(spec: CheckSpec, key: str, against: str | None) -> list[str]:
    """The observations of this case that must vary for the case to count."""
    keys = [against] if spec.kind == "consistent" and against else []
    patterns = spec.params.get("nontrivial", [])
    for pattern in [patterns] if isinstance(patterns, str) else patterns:
        keys.append(_counterpart(pattern, spec, key))
    return keys


def _counterpart(pattern: str, spec: CheckSpec, key: str) -> str:
    """"relu.forward.y[*]" for the case "relu.forward.input_after[b4_c6]" is "relu.forward.y[b4_c6]"."""
    if not pattern.endswith("[*]") or "[" not in key:
        return pattern
    return pattern[:-3] + key[key.index("["):]


def degenerate_verdict(spec: CheckSpec, ctx: CheckContext, key: str, against: str | None) -> CaseVerdict | None:
    """A failing verdict when a guard observation is trivially constant; None when the case may be judged."""
    for guard in guard_keys(spec, key, against):
        observation = ctx.student.items.get(guard)
        if observation is None or observation.error is not None or observation.array is None:
            continue  # not observed: the case itself reports why, or there is nothing to hold against it
        if is_trivially_constant(observation.array):
            value = "all zero" if not np.any(observation.array) else f"the same value ({observation.array.ravel()[0]:.4g}) everywhere"
            return CaseVerdict(
                False,
                f"{call_of(observation)}: {what_of(observation)} were {value}, so there was nothing for this "
                f"check to confirm (it compares your code with itself, which only means something when the "
                f"result depends on the inputs).",
                observed=f"{what_of(observation)}: {value}",
                details={"degenerate": guard},
            )
    return None
