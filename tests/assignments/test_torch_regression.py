"""torch_regression end to end: the reference and every correct variant get every automatic point; every
mistake (sample or mutant) loses exactly the checks its bug touches; every check is failed by at least one
mutant; the manual items stay pending; `grader handout` prints the student-facing contract."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.cli import main
from grader.selftest import failed_checks

NAME = "torch_regression"
EXPECTED = tomllib.loads((Path(__file__).parents[1] / "samples" / f"{NAME}_expected.toml").read_text())
AUTOMATIC, MANUAL = 16, 4
slow = pytest.mark.slow


def test_rubric_points_and_handout(capsys):
    rubric = load_assignment(NAME)
    assert rubric.max_points == AUTOMATIC + MANUAL == 20
    assert sum(m.points for m in rubric.manual) == MANUAL
    assert main(["handout", NAME]) == 0
    printed = capsys.readouterr().out
    for name in ("make_data()", "err(W, x, y_true)", "update_step(", "fit_manual(", "LineFitting()", "PolyFit(degree)", "train("):
        assert name in printed


@slow
def test_reference_gets_every_automatic_point(torch_regression_graded):
    result = torch_regression_graded["results"]["reference_solution"]
    assert failed_checks(result) == frozenset()
    assert result.score == AUTOMATIC and result.pending_points == MANUAL
    assert result.status == "pending-manual"


@slow
@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_sample_loses_exactly_the_checks_its_bug_touches(torch_regression_graded, student):
    result = torch_regression_graded["results"][student]
    expected = EXPECTED[student]
    assert failed_checks(result) == frozenset(expected["fails"]), "\n".join(
        f"{c.check_id}: {c.message}" for c in result.checks if c.score < c.max_score and not c.is_manual
    )
    assert result.run.status == expected["run"], result.run.message


@slow
def test_correct_variants_get_every_automatic_point(torch_regression_graded):
    results = torch_regression_graded["results"]
    correct = [s for s, e in EXPECTED.items() if e["correct"]]
    assert len(correct) >= 4 and all(results[s].score == AUTOMATIC for s in correct)


@slow
def test_every_failed_check_explains_itself(torch_regression_graded):
    for result in torch_regression_graded["results"].values():
        for check in result.checks:
            if check.score < check.max_score and not check.is_manual:
                assert check.message and check.expected and check.hint, (result.student_id, check.check_id)


@slow
def test_mutants_fail_exactly_their_labelled_checks(torch_regression_graded):
    wrong = {}
    for mutant in torch_regression_graded["mutants"]:
        actual = failed_checks(torch_regression_graded["results"][f"mutant_{mutant.name}"])
        if actual != mutant.fails:
            wrong[mutant.name] = (sorted(mutant.fails), sorted(actual))
    assert not wrong


@slow
def test_every_check_can_fail(torch_regression_graded):
    caught = set()
    for mutant in torch_regression_graded["mutants"]:
        caught |= failed_checks(torch_regression_graded["results"][f"mutant_{mutant.name}"])
    assert {c.id for c in torch_regression_graded["rubric"].checks} - caught == set()


@slow
def test_manual_items_are_pending_for_everyone(torch_regression_graded):
    manual = {m.id for m in torch_regression_graded["rubric"].manual}
    for result in torch_regression_graded["results"].values():
        assert {c.check_id for c in result.checks if c.status == "pending"} == manual, result.student_id


@slow
def test_outputs_exist_for_everyone(torch_regression_graded):
    out = torch_regression_graded["out"] / NAME
    for student in torch_regression_graded["results"]:
        assert (out / "feedback" / f"{student}.md").is_file()
        assert (out / "feedback" / f"{student}.html").is_file()
    assert (out / "gradebook.csv").is_file() and (out / "lms_grades.csv").is_file()
