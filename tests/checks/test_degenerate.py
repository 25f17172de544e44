"""A consistency check pays nothing when the compared quantity is trivially constant; the target-loss check
pays nothing for predictions that do not come from trained parameters."""
from __future__ import annotations

import numpy as np

from grader.checks.context import CheckContext
from grader.checks.degenerate import degenerate_verdict, is_trivially_constant
from grader.checks.kinds.target_loss import judge_target_loss
from grader.score.points import judge_check
from grader.observations import Observation, Observations
from grader.rubric import CheckSpec

CALL = "NPLinear(3, 5).backward(grad_out of shape (1, 5))"


def consistent(**params) -> CheckSpec:
    return CheckSpec(id="c", section="s", title="t", kind="consistent", observe=("g.analytic[*]",),
                     against=("g.numerical[*]",), points=2.0, params={"rtol": 1e-5, **params})


def test_trivially_constant_means_all_zero_or_all_equal():
    assert is_trivially_constant(np.zeros((3, 4))) and is_trivially_constant(np.full(5, 2.5))
    assert not is_trivially_constant(np.array([0.0, 1e-9])) and not is_trivially_constant(np.array([3.0]))
    assert is_trivially_constant(np.array([0.0]))


def test_zero_gradients_agreeing_with_zero_finite_differences_earn_nothing():
    student = Observations()
    for key, value in {"g.analytic[b1]": np.zeros(6), "g.numerical[b1]": np.zeros(6)}.items():
        student.items[key] = Observation(key, array=value, meta={"call": CALL, "what": "finite differences for W_grad"})
    reference = Observations()
    reference.items["g.analytic[b1]"] = Observation("g.analytic[b1]", array=np.ones(6), meta={})
    result = judge_check(consistent(), CheckContext(student, reference), "numpy_nn.py", "")
    assert result.score == 0 and result.status == "failed"
    assert "finite differences for W_grad were all zero, so there was nothing for this check to confirm" in result.message


def test_varying_values_are_judged_as_before():
    student = Observations()
    values = np.array([0.5, -1.0, 2.0])
    for key in ("g.analytic[b1]", "g.numerical[b1]"):
        student.items[key] = Observation(key, array=values, meta={"call": CALL})
    reference = Observations()
    reference.items["g.analytic[b1]"] = Observation("g.analytic[b1]", array=values, meta={})
    assert judge_check(consistent(), CheckContext(student, reference), "numpy_nn.py", "").status == "passed"


def test_nontrivial_names_another_observation_with_the_same_case():
    spec = CheckSpec(id="u", section="s", title="t", kind="match_reference", observe=("relu.input_after[*]",),
                     points=0.5, params={"nontrivial": "relu.y[*]"})
    student = Observations()
    student.items["relu.y[b4]"] = Observation("relu.y[b4]", array=np.zeros((4, 6)), meta={"call": "NPReLU().forward(x)", "what": "the output"})
    verdict = degenerate_verdict(spec, CheckContext(student, Observations()), "relu.input_after[b4]", None)
    assert verdict is not None and not verdict.ok and "the output were all zero" in verdict.message


def test_target_loss_pays_nothing_for_flagged_or_untrained_models():
    x = np.linspace(-3, 3, 50).reshape(-1, 1)
    y = np.sin(x)
    check = CheckSpec(id="t", section="s", title="t", kind="target_loss", observe=("p[*]",), points=6.0,
                      params={"data": "heldout", "loss": "mse", "threshold": 0.035, "provenance": "why[*]", "untrained": "fresh"})
    student = Observations()
    student.items["p[0]"] = Observation("p[0]", array=y.copy(), meta={"where": "model"})
    student.items["why[0]"] = Observation("why[0]", value={"problems": ["model.forward is curved at 90% of 2001 points"]}, meta={})
    judgement = judge_target_loss(check, CheckContext(student, Observations(), {"heldout": (x, y)}), ["p[0]"])
    assert judgement.fraction == 0 and "What was observed: model: model.forward is curved at 90%" in judgement.message

    student.items["why[0]"] = Observation("why[0]", value={"problems": []}, meta={})
    student.items["fresh"] = Observation("fresh", array=y + 0.01, meta={})
    judgement = judge_target_loss(check, CheckContext(student, Observations(), {"heldout": (x, y)}), ["p[0]"])
    assert judgement.fraction == 0 and "freshly constructed model, before any training, already reaches" in judgement.message

    student.items["fresh"] = Observation("fresh", array=np.zeros_like(y), meta={})
    assert judge_target_loss(check, CheckContext(student, Observations(), {"heldout": (x, y)}), ["p[0]"]).fraction == 1
