"""Each check kind passes a correct observation and fails a wrong one, with a message naming the symptom."""
from __future__ import annotations

import numpy as np
import pytest

from grader.checks.context import CheckContext
from grader.checks.kinds.compare import judge_consistent, judge_match_reference, judge_shape, judge_within
from grader.checks.kinds.init_distribution import expected_bound, judge_init_distribution
from grader.checks.kinds.target_loss import judge_target_loss
from grader.observations import Observation, Observations
from grader.rubric import CheckSpec

CALL = "NPLinear(5, 3).backward(grad_out of shape (4, 3))"


def spec(kind: str, **params) -> CheckSpec:
    return CheckSpec(id="c", section="s", title="t", kind=kind, observe=("k[*]",), points=1.0, params=params)


def observations(**arrays) -> Observations:
    obs = Observations()
    for key, (array, meta) in arrays.items():
        obs.items[key] = Observation(key, array=np.asarray(array, dtype=float), meta={"call": CALL, **meta})
    return obs


def ctx_for(student: dict, reference: dict | None = None) -> CheckContext:
    return CheckContext(observations(**student), observations(**(reference or {})))


def test_shape_passes_equal_shapes_and_names_the_wrong_one():
    good = ctx_for({"k": (np.zeros((4, 5)), {"what": "the input gradient"})}, {"k": (np.ones((4, 5)), {})})
    assert judge_shape(spec("shape"), good, "k", None).ok
    bad = ctx_for({"k": (np.zeros((4, 3)), {"what": "the input gradient"})}, {"k": (np.ones((4, 5)), {})})
    verdict = judge_shape(spec("shape"), bad, "k", None)
    assert not verdict.ok
    assert verdict.message == f"{CALL} gave the input gradient of shape (4, 3); expected (4, 5)"


def test_match_reference_uses_relative_tolerance_and_reports_worst_entry():
    expected = np.array([[1.0, 2.0], [3.0, 4.0]])
    close = ctx_for({"k": (expected + 1e-9, {"what": "W_grad"})}, {"k": (expected, {})})
    assert judge_match_reference(spec("match_reference", rtol=1e-6), close, "k", None).ok
    off = expected.copy()
    off[1, 0] = 6.0
    verdict = judge_match_reference(spec("match_reference", rtol=1e-6), ctx_for({"k": (off, {"what": "W_grad"})}, {"k": (expected, {})}), "k", None)
    assert not verdict.ok
    assert "W_grad and the reference differ (relative error 0.75 > 1e-06; at [1, 0]: yours 6, expected 3)" in verdict.message


def test_match_reference_accepts_float32_within_its_own_tolerance():
    expected = np.linspace(0, 1, 10)
    student = (expected + 1e-6, {"what": "out", "dtype": "float32"})
    check = spec("match_reference", rtol=1e-8, rtol_float32=1e-4)
    assert judge_match_reference(check, ctx_for({"k": student}, {"k": (expected, {})}), "k", None).ok


def test_match_reference_rejects_nan():
    verdict = judge_match_reference(spec("match_reference"), ctx_for({"k": ([np.nan, 1.0], {})}, {"k": ([1.0, 1.0], {})}), "k", None)
    assert not verdict.ok and "NaN" in verdict.message


def test_consistent_compares_two_student_observations():
    student = {"a": ([1.0, 2.0], {"what": "b_grad"}), "b": ([1.0, 2.0], {"what": "finite differences"})}
    assert judge_consistent(spec("consistent", rtol=1e-6), ctx_for(student), "a", "b").ok
    student["a"] = ([0.5, 1.0], {"what": "b_grad"})
    verdict = judge_consistent(spec("consistent", rtol=1e-6), ctx_for(student), "a", "b")
    assert not verdict.ok and "b_grad and finite differences differ" in verdict.message


def test_within_accepts_any_subgradient_and_rejects_nan():
    check = spec("within", low=0.0, high=1.0)
    for value in (0.0, 0.5, 1.0):
        assert judge_within(check, ctx_for({"k": ([value], {})}), "k", None).ok
    assert not judge_within(check, ctx_for({"k": ([np.nan], {})}), "k", None).ok
    assert not judge_within(check, ctx_for({"k": ([2.0], {})}), "k", None).ok


def test_expected_bound_reads_fan_from_metadata():
    assert expected_bound("fan_in^-0.5", {"fan_in": 16, "fan_out": 4}) == pytest.approx(0.25)
    assert expected_bound("fan_out^-0.5", {"fan_in": 16, "fan_out": 4}) == pytest.approx(0.5)


INIT_CASES = [(1, 64, 50), (16, 8, 50), (100, 10, 20)]


def init_observations(draw) -> CheckContext:
    rng = np.random.default_rng(0)
    student = {
        f"k[i{i}_o{o}]": (np.concatenate([draw(rng, i, o) for _ in range(n)]), {"fan_in": i, "fan_out": o})
        for i, o, n in INIT_CASES
    }
    return ctx_for(student)


def keys(ctx: CheckContext) -> list[str]:
    return sorted(ctx.student.items)


def uniform(bound):
    return lambda rng, i, o: rng.uniform(-bound(i, o), bound(i, o), size=i * o)


WRONG_INITS = {
    "zeros": lambda rng, i, o: np.zeros(i * o),
    "standard normal": lambda rng, i, o: rng.standard_normal(i * o),
    "kaiming normal": lambda rng, i, o: rng.normal(0, np.sqrt(2 / i), i * o),
    "uniform sqrt(6/fan_in)": uniform(lambda i, o: np.sqrt(6 / i)),
    "fan_out": uniform(lambda i, o: 1 / np.sqrt(o)),
    "xavier uniform": uniform(lambda i, o: np.sqrt(6 / (i + o))),
}


def test_init_distribution_passes_torch_default():
    check = spec("init_distribution", alpha=1e-7, scale="fan_in^-0.5")
    ctx = init_observations(uniform(lambda i, o: 1 / np.sqrt(i)))
    assert judge_init_distribution(check, ctx, keys(ctx)).fraction == 1.0


@pytest.mark.parametrize("name", sorted(WRONG_INITS))
def test_init_distribution_rejects_common_wrong_choices(name):
    check = spec("init_distribution", alpha=1e-7, scale="fan_in^-0.5")
    ctx = init_observations(WRONG_INITS[name])
    judgement = judge_init_distribution(check, ctx, keys(ctx))
    assert judgement.fraction == 0.0
    assert "Kolmogorov-Smirnov" in judgement.message and judgement.figures


def test_target_loss_computes_the_loss_here_and_keeps_the_best_model():
    x = np.linspace(-3, 3, 50).reshape(-1, 1)
    y = np.sin(x)
    student = Observations()
    student.items["p[0]"] = Observation("p[0]", array=np.zeros_like(y), meta={"where": "'bad'"})
    student.items["p[1]"] = Observation("p[1]", array=y + 0.01, meta={"where": "'good'"})
    ctx = CheckContext(student, Observations(), {"heldout": (x, y)})
    check = spec("target_loss", data="heldout", loss="mse", threshold=0.035)
    judgement = judge_target_loss(check, ctx, ["p[0]", "p[1]"])
    assert judgement.fraction == 1.0 and judgement.details["model"] == "'good'"
    judgement = judge_target_loss(check, ctx, ["p[0]"])
    assert judgement.fraction == 0.0 and "validation MSE of 0.5131 on fresh data; the target is 0.035" in judgement.message


def test_a_constant_factor_is_named_because_it_names_the_bug():
    expected = np.array([3.0, -1.5, 6.0])
    third = ctx_for({"k": (expected / 3, {"what": "b_grad"})}, {"k": (expected, {})})
    verdict = judge_match_reference(spec("match_reference"), third, "k", None)
    assert "Note: yours are exactly 1/3 of the expected values everywhere." in verdict.message
    doubled = ctx_for({"k": (expected * -2, {"what": "b_grad"})}, {"k": (expected, {})})
    assert "yours are exactly -2 times" in judge_match_reference(spec("match_reference"), doubled, "k", None).message
    zeros = ctx_for({"k": (expected * 0, {"what": "b_grad"})}, {"k": (expected, {})})
    assert "yours are all zero" in judge_match_reference(spec("match_reference"), zeros, "k", None).message
