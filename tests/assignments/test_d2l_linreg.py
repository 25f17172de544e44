"""d2l_linreg end to end: the reference and every correct variant get every automatic point; every
mistake (sample or mutant) loses exactly the checks its bug touches; every check is failed by at least one
mutant; the manual items stay pending; `grader handout` prints the student-facing contract."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.cli import main
from grader.selftest import failed_checks

NAME = "d2l_linreg"
EXPECTED = tomllib.loads((Path(__file__).parents[1] / "samples" / f"{NAME}_expected.toml").read_text())
AUTOMATIC, MANUAL = 22, 8
slow = pytest.mark.slow


def test_rubric_points_and_handout(capsys):
    rubric = load_assignment(NAME)
    assert rubric.max_points == AUTOMATIC + MANUAL == 30
    assert sum(m.points for m in rubric.manual) == MANUAL
    assert main(["handout", NAME]) == 0
    printed = capsys.readouterr().out
    for name in ("make_synthetic(", "LinearRegressionScratch(", "fit(model", "fit_ohm(", "planck(lam, T)", "make_planck_data(",
                 "fit_temperature(", "second_derivative(", "last_batch_size(", "abs_loss(", "huber_loss("):
        assert name in printed


@slow
def test_reference_gets_every_automatic_point(d2l_linreg_graded):
    result = d2l_linreg_graded["results"]["reference_solution"]
    assert failed_checks(result) == frozenset()
    assert result.score == AUTOMATIC and result.pending_points == MANUAL
    assert result.status == "pending-manual"


@slow
@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_sample_loses_exactly_the_checks_its_bug_touches(d2l_linreg_graded, student):
    result = d2l_linreg_graded["results"][student]
    expected = EXPECTED[student]
    assert failed_checks(result) == frozenset(expected["fails"]), "\n".join(
        f"{c.check_id}: {c.message}" for c in result.checks if c.score < c.max_score and not c.is_manual
    )
    assert result.run.status == expected["run"], result.run.message


@slow
def test_correct_variants_get_every_automatic_point(d2l_linreg_graded):
    results = d2l_linreg_graded["results"]
    correct = [s for s, e in EXPECTED.items() if e["correct"]]
    assert len(correct) >= 3 and all(results[s].score == AUTOMATIC for s in correct)


@slow
def test_every_failed_check_explains_itself(d2l_linreg_graded):
    for result in d2l_linreg_graded["results"].values():
        for check in result.checks:
            if check.score < check.max_score and not check.is_manual:
                assert check.message and check.expected and check.hint, (result.student_id, check.check_id)


@slow
def test_mutants_fail_exactly_their_labelled_checks(d2l_linreg_graded):
    wrong = {}
    for mutant in d2l_linreg_graded["mutants"]:
        actual = failed_checks(d2l_linreg_graded["results"][f"mutant_{mutant.name}"])
        if actual != mutant.fails:
            wrong[mutant.name] = (sorted(mutant.fails), sorted(actual))
    assert not wrong


@slow
def test_every_check_can_fail(d2l_linreg_graded):
    caught = set()
    for mutant in d2l_linreg_graded["mutants"]:
        caught |= failed_checks(d2l_linreg_graded["results"][f"mutant_{mutant.name}"])
    assert {c.id for c in d2l_linreg_graded["rubric"].checks} - caught == set()


@slow
def test_manual_items_are_pending_for_everyone(d2l_linreg_graded):
    manual = {m.id for m in d2l_linreg_graded["rubric"].manual}
    for result in d2l_linreg_graded["results"].values():
        assert {c.check_id for c in result.checks if c.status == "pending"} == manual, result.student_id


@slow
def test_outputs_exist_for_everyone(d2l_linreg_graded):
    out = d2l_linreg_graded["out"] / NAME
    for student in d2l_linreg_graded["results"]:
        assert (out / "feedback" / f"{student}.md").is_file()
        assert (out / "feedback" / f"{student}.html").is_file()
    assert (out / "gradebook.csv").is_file() and (out / "lms_grades.csv").is_file()
