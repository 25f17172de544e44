"""Diagnosis matches observations, not source: constant factors, transposes, errors, distributions; ties and
second mistakes are named; a submission that fails differently, or passes, gets no diagnosis."""
from __future__ import annotations

import numpy as np
import pytest

from grader.assignments import load_assignment
from grader.results.check import CheckResult
from grader.diagnose.match import KnownMistake, diagnose, observations_agree, relation_to_expected
from grader.observations import Observation, Observations, StudentError

MSE, RELU = "mse_value_and_grad", "relu_backward"
GRAD = np.arange(1.0, 19.0).reshape(6, 3) / 9
RELU_Y = np.array([[0.0, 0.0, 0.5, 3.0], [1.0, 0.0, 2.0, 0.0]])


@pytest.fixture(scope="module")
def rubric():
    return load_assignment("bench_layers")


def observations(grad=GRAD, relu_y=RELU_Y) -> Observations:
    arrays = {"mse.value[b6_c3]": np.array(0.5), "mse.grad[b6_c3]": grad, "relu.forward.y[b2_c4]": relu_y,
              "relu.backward.dx[b2_c4]": np.arange(8.0).reshape(2, 4)}
    return Observations(items={k: Observation(k, array=np.asarray(v, dtype=float)) for k, v in arrays.items()})


def checks(*failed: str) -> tuple[CheckResult, ...]:
    return tuple(CheckResult(c, c, "layers", "failed" if c in failed else "passed", 0.0 if c in failed else 2.0, 2.0)
                 for c in (MSE, RELU))


def mistake(name: str, obs: Observations, *failed: str) -> KnownMistake:
    return KnownMistake(name, f"description of {name}", "mutant", obs, checks(*failed))


LEAKY = np.where(RELU_Y > 0, RELU_Y, 0.01)
KNOWN = (
    mistake("grad_batch_mean", observations(grad=GRAD * 6), MSE),
    mistake("grad_sum", observations(grad=GRAD * 18), MSE),
    mistake("relu_leaky", observations(relu_y=LEAKY), RELU),
)


def names(diagnoses) -> list[str]:
    return [d.mistake for d in diagnoses]


def test_the_same_behaviour_is_named_with_the_assignment_words(rubric):
    found = diagnose(rubric, observations(grad=GRAD * 6), observations(), checks(MSE), KNOWN)
    assert names(found) == ["grad_batch_mean"]
    assert found[0].description == "description of grad_batch_mean" and found[0].checks == (MSE,)


def test_a_different_wrong_value_is_no_known_mistake(rubric):
    assert diagnose(rubric, observations(grad=GRAD * 7), observations(), checks(MSE), KNOWN) == ()


def test_a_passing_submission_gets_no_diagnosis(rubric):
    assert diagnose(rubric, observations(), observations(), checks(), KNOWN) == ()


def test_two_mistakes_that_behave_the_same_are_both_named(rubric):
    twin = mistake("grad_sum_over_rows", observations(grad=GRAD * 18), MSE)
    found = diagnose(rubric, observations(grad=GRAD * 18), observations(), checks(MSE), KNOWN + (twin,))
    assert sorted(names(found)) == ["grad_sum", "grad_sum_over_rows"]
    assert found[0].score == found[1].score


def test_two_independent_mistakes_are_both_named(rubric):
    student = observations(grad=GRAD * 6, relu_y=LEAKY)
    assert sorted(names(diagnose(rubric, student, observations(), checks(MSE, RELU), KNOWN))) == ["grad_batch_mean", "relu_leaky"]


def test_a_missing_symptom_speaks_against_a_mistake(rubric):
    both = mistake("grad_and_relu", observations(grad=GRAD * 6, relu_y=LEAKY), MSE, RELU)
    # the student has the gradient mistake but a correct ReLU: the single mistake explains it better
    found = diagnose(rubric, observations(grad=GRAD * 6), observations(), checks(MSE), (both, KNOWN[0]))
    assert names(found) == ["grad_batch_mean"]


def test_what_a_mistake_deviates_from_is_the_reference_it_is_diagnosed_against(rubric):
    # the same mistake, already diagnosed once; against a reference that has its gradient, it shows no symptom
    mistake_ = mistake("grad_batch_mean", observations(grad=GRAD * 6), MSE)
    assert names(diagnose(rubric, observations(grad=GRAD * 6), observations(), checks(MSE), (mistake_,))) == ["grad_batch_mean"]
    assert diagnose(rubric, observations(grad=GRAD * 6), observations(grad=GRAD * 6), checks(MSE), (mistake_,)) == ()


def test_relations_to_the_expected_values():
    expected = Observation("k", array=np.arange(1.0, 7.0).reshape(2, 3))
    assert relation_to_expected(expected.array.T, expected) == "transposed"
    assert relation_to_expected(expected.array / 2, expected) == "scale 0.5"
    assert relation_to_expected(-expected.array, expected) == "scale -1"
    assert relation_to_expected(np.zeros((2, 3)), expected) == "zero"
    assert relation_to_expected(np.ones((3, 3)), expected) == "shape (3, 3) for (2, 3)"
    assert relation_to_expected(np.full((2, 3), np.nan), expected) == "nonfinite"


def test_errors_agree_by_type_and_probe_messages_by_text():
    def error(kind: str, message: str) -> Observation:
        return Observation("k", error=StudentError(kind, message))

    assert observations_agree(error("TypeError", "a"), error("TypeError", "b"), None, None)
    assert not observations_agree(error("TypeError", "a"), error("ValueError", "a"), None, None)
    assert not observations_agree(error("ProbeFailure", "W has shape (3, 4)"), error("ProbeFailure", "W is constant"), None, None)


def test_rounding_noise_far_below_the_mistake_is_the_same_observation():
    expected = Observation("w", array=np.array([-0.04, 1.79, -0.86, 0.093]))
    theirs = np.array([0.51, 0.22, -0.31, 0.028])  # the mistake: weights fitted to other data
    rounding = theirs * (1 + 3e-5 * np.array([1.0, -1.0, 2.0, 0.5]))  # float32 solve, other memory alignment
    assert observations_agree(Observation("w", array=rounding), Observation("w", array=theirs), expected, expected)
    other_mistake = theirs + 0.01 * (theirs - expected.array)
    assert not observations_agree(Observation("w", array=other_mistake), Observation("w", array=theirs), expected, expected)


def test_random_observations_agree_by_distribution():
    rng = np.random.default_rng(0)
    uniform = lambda: Observation("k", array=rng.uniform(-1, 1, 500))  # noqa: E731
    normal = Observation("k", array=rng.normal(0, 1, 500))
    assert observations_agree(uniform(), uniform(), None, None, random=True)
    assert not observations_agree(uniform(), normal, None, None, random=True)
