"""numpy_nn end to end: the reference and every correct variant get full marks; every mistake (sample or
mutant) loses exactly the checks its bug touches; every check is failed by at least one mutant."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from grader.selftest import failed_checks

EXPECTED = tomllib.loads((Path(__file__).parents[1] / "samples" / "numpy_nn_expected.toml").read_text())
pytestmark = pytest.mark.slow


def test_reference_gets_every_automatic_point(numpy_nn_graded):
    result = numpy_nn_graded["results"]["reference_solution"]
    assert failed_checks(result) == frozenset()
    assert result.score == 31 and result.pending_points == 4


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_sample_loses_exactly_the_checks_its_bug_touches(numpy_nn_graded, student):
    result = numpy_nn_graded["results"][student]
    expected = EXPECTED[student]
    assert failed_checks(result) == frozenset(expected["fails"]), "\n".join(
        f"{c.check_id}: {c.message}" for c in result.checks if c.score < c.max_score and not c.is_manual
    )
    assert result.run.status == expected["run"], result.run.message


def test_every_failed_check_explains_itself(numpy_nn_graded):
    for result in numpy_nn_graded["results"].values():
        for check in result.checks:
            if check.score < check.max_score and not check.is_manual:
                assert check.message and check.expected and check.hint, (result.student_id, check.check_id)


def test_mutants_fail_exactly_their_labelled_checks(numpy_nn_graded):
    wrong = {}
    for mutant in numpy_nn_graded["mutants"]:
        actual = failed_checks(numpy_nn_graded["results"][f"mutant_{mutant.name}"])
        if actual != mutant.fails:
            wrong[mutant.name] = (sorted(mutant.fails), sorted(actual))
    assert not wrong


def test_every_check_can_fail(numpy_nn_graded):
    caught = set()
    for mutant in numpy_nn_graded["mutants"]:
        caught |= failed_checks(numpy_nn_graded["results"][f"mutant_{mutant.name}"])
    assert {c.id for c in numpy_nn_graded["rubric"].checks} - caught == set()


def test_hostile_samples_do_not_change_other_rows(numpy_nn_graded):
    """A correct submission graded next to the hostile ones scores as it does alone (full marks)."""
    results = numpy_nn_graded["results"]
    correct = [s for s, e in EXPECTED.items() if e["correct"]]
    assert correct and all(results[s].score == 31 for s in correct)


def test_outputs_exist_for_everyone(numpy_nn_graded):
    out = numpy_nn_graded["out"] / "numpy_nn"
    for student in numpy_nn_graded["results"]:
        assert (out / "feedback" / f"{student}.md").is_file()
        assert (out / "feedback" / f"{student}.html").is_file()
    assert (out / "gradebook.csv").is_file() and (out / "lms_grades.csv").is_file()
