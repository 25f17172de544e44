"""close_to_reference (entrywise tolerance) and at_most_reference (an upper bound from the reference)."""
from __future__ import annotations

import numpy as np

from grader.checks.context import CheckContext
from grader.checks.kinds import KINDS
from grader.checks.kinds.at_most_reference import judge_at_most_reference
from grader.checks.kinds.close_to_reference import judge_close_to_reference
from grader.observations import Observation, Observations
from grader.rubric import CheckSpec

CALL = "fit(x, y, w0, torch.optim.Adam, 100, lr=0.03)"


def spec(kind: str, **params) -> CheckSpec:
    return CheckSpec(id="c", section="s", title="t", kind=kind, observe=("k",), points=1.0, params=params)


def ctx_for(student, reference, what: str = "the final MSE") -> CheckContext:
    mine, theirs = Observations(), Observations()
    mine.items["k"] = Observation("k", array=np.asarray(student, dtype=float), meta={"call": CALL, "what": what})
    theirs.items["k"] = Observation("k", array=np.asarray(reference, dtype=float))
    return CheckContext(mine, theirs)


def test_both_kinds_are_registered_and_judge_per_case():
    for name in ("close_to_reference", "at_most_reference"):
        assert KINDS[name].keys_from == "reference" and KINDS[name].judge_case is not None


def test_close_to_reference_judges_every_entry_on_its_own_scale():
    expected = np.array([[2.0, 6.7], [166.0, 2.6e4]])
    check = spec("close_to_reference", rtol=1e-3)
    assert judge_close_to_reference(check, ctx_for(expected * (1 + 5e-4), expected, "the Hessian"), "k", None).ok
    # 0.5 off in the smallest entry: a normwise comparison (0.5 / 2.6e4 = 2e-5) would let it through
    off = expected.copy()
    off[0, 0] = 2.5
    verdict = judge_close_to_reference(check, ctx_for(off, expected, "the Hessian"), "k", None)
    assert not verdict.ok
    assert verdict.message == (f"{CALL}: 1 of 4 entries of the Hessian are off (tolerance 0 + 0.001 x |expected|; "
                               "worst at [0, 0]: yours 2.5, expected 2 +- 0.002)")


def test_close_to_reference_has_an_absolute_floor_and_names_a_constant_factor():
    expected = np.array([-0.039, 1.794, -0.861, 0.0928])
    check = spec("close_to_reference", atol=1e-3, rtol=0.0)
    assert judge_close_to_reference(check, ctx_for(expected + 9e-4, expected, "the weights"), "k", None).ok
    verdict = judge_close_to_reference(check, ctx_for(expected / 2, expected, "the weights"), "k", None)
    assert not verdict.ok
    assert "4 of 4 entries of the weights are off" in verdict.message
    assert verdict.message.endswith("Note: yours are exactly 1/2 of the expected values everywhere.")


def test_close_to_reference_on_a_scalar_and_on_nan():
    check = spec("close_to_reference", rtol=1e-4)
    verdict = judge_close_to_reference(check, ctx_for([6.14], [0.8771], "the loss"), "k", None)
    assert verdict.message == f"{CALL}: the loss is off (yours 6.14, expected 0.8771 +- 8.771e-05)"
    assert not judge_close_to_reference(check, ctx_for([np.nan], [0.8771]), "k", None).ok


def test_at_most_reference_passes_up_to_factor_times_the_reference():
    check = spec("at_most_reference", factor=2.0)
    assert judge_at_most_reference(check, ctx_for([0.33], [0.1656]), "k", None).ok
    verdict = judge_at_most_reference(check, ctx_for([0.4749], [0.1656]), "k", None)
    assert not verdict.ok
    assert verdict.message == f"{CALL}: the final MSE was 0.4749; expected at most 2 x the reference's 0.1656 = 0.3312"


def test_at_most_reference_rejects_divergence():
    check = spec("at_most_reference", factor=1.5)
    for value in (np.inf, np.nan):
        verdict = judge_at_most_reference(check, ctx_for([value], [9.691]), "k", None)
        assert not verdict.ok and "was not finite" in verdict.message
