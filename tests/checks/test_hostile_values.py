"""Values a hand-in can produce that used to stop the grader: NaN/inf, overflow, empty arrays, 0-d values.

Every check kind and explain helper gets them; each must give a verdict (and a message), never raise.
"""
from __future__ import annotations

import numpy as np
import pytest

from grader.checks.context import CheckContext
from grader.checks.explain import compare, number, scale_pattern
from grader.checks.kinds import KINDS
from grader.score.points import judge_check
from grader.observations import Observation, Observations
from grader.rubric import CheckSpec

HOSTILE = {
    "nan": np.array([[np.nan, 1.0], [2.0, 3.0]]),
    "inf": np.array([[np.inf, -np.inf], [2.0, 3.0]]),
    "huge": np.array([[1e308, -1e308], [1e308, 3.0]]),
    "empty": np.zeros((0, 2)),
    "zero_d": np.array(2.0),
    "zeros": np.zeros((2, 2)),
}
REFERENCE = np.array([[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize("observed", sorted(HOSTILE))
@pytest.mark.parametrize("expected", sorted(HOSTILE))
def test_explain_helpers_never_raise(observed, expected):
    a, b = HOSTILE[observed], HOSTILE[expected]
    assert isinstance(scale_pattern(a, b), str)
    if a.shape == b.shape:
        result = compare(a, b, 1e-6)
        assert isinstance(result.error_text, str) and isinstance(result.worst, str)


def test_a_comparison_with_non_finite_expected_values_fails_and_says_so():
    result = compare(np.array([1.0, 2.0]), np.array([np.nan, np.inf]), 1e-6)
    assert not result.ok and result.error_text == "values are NaN or infinite" and result.pattern == ""
    assert number(float("nan")) == "nan" and number(float("inf")) == "inf"


def spec(kind: str, **params) -> CheckSpec:
    observe = ("m[*]",) if kind == "target_loss" else ("k[*]",)
    defaults = {"init_distribution": {"scale": "fan_in^-0.5"}, "target_loss": {"data": "heldout", "threshold": 0.1},
                "consistent": {}, "within": {"low": -1, "high": 1}, "at_most_reference": {"factor": 2.0}}
    return CheckSpec(id="c", section="s", title="t", kind=kind, observe=observe, points=1.0,
                     against=("k2[*]",) if kind == "consistent" else (), params={**defaults.get(kind, {}), **params})


def context(values: np.ndarray) -> CheckContext:
    meta = {"call": "f(x)", "what": "the output", "fan_in": 4, "fan_out": 2, "where": "model"}
    student, reference = Observations(), Observations()
    for key in ("k[a]", "k2[a]"):
        student.items[key] = Observation(key, array=values, meta=meta)
        reference.items[key] = Observation(key, array=REFERENCE, meta=meta)
    student.items["m[0]"] = Observation("m[0]", array=values, meta=meta)
    heldout = {"heldout": (np.linspace(0, 1, 4).reshape(-1, 1), np.linspace(0, 1, 4).reshape(-1, 1))}
    return CheckContext(student, reference, heldout)


@pytest.mark.parametrize("values", sorted(HOSTILE))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_judges_hostile_values_without_raising(kind, values):
    result = judge_check(spec(kind), context(HOSTILE[values]), "numpy_nn.py", "")
    assert result.status in ("passed", "failed", "error")
    # the same values on both sides of `consistent` agree, and an empty array has no value outside a range
    must_fail = {"nan", "inf"} if kind != "shape" else set()
    if kind in ("match_reference", "close_to_reference", "at_most_reference", "init_distribution", "target_loss"):
        must_fail.add("empty")
    if values in must_fail:
        assert result.status != "passed" and result.message


def test_an_empty_weight_array_fails_the_initialisation_check_with_a_message():
    result = judge_check(spec("init_distribution"), context(np.zeros((0, 4))), "numpy_nn.py", "")
    assert result.status == "failed"
    assert "No usable initial values" in result.message and "no values (an empty array)" in result.message


def test_a_zero_dimensional_value_is_reported_as_such():
    result = judge_check(spec("shape"), context(np.array(2.0)), "numpy_nn.py", "")
    assert result.status == "failed" and "of shape (); expected (2, 2)" in result.message


def test_a_model_that_could_not_be_kept_costs_nothing_when_another_counts():
    ctx = context(np.linspace(0, 1, 4).reshape(-1, 1))
    too_large = Observation("m[1]", error=__import__("grader.observations", fromlist=["StudentError"]).StudentError(
        "ProbeFailure", "the value was too large to judge"), meta={"call": "huge.forward(x)"})
    ctx.student.items["m[1]"] = too_large
    assert judge_check(spec("target_loss"), ctx, "numpy_nn.py", "").status == "passed"
