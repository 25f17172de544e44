"""torch_hw7 (a notebook that star-imports the grader's own hw7_support) end to end: the reference and every
correct notebook get every automatic point; every mistake (sample or mutant) loses exactly the checks its bug
touches; every check is failed by a mutant; a broken or never-ending cell costs only what depends on it."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from grader.selftest import failed_checks

EXPECTED = tomllib.loads((Path(__file__).parents[1] / "samples" / "torch_hw7_expected.toml").read_text())
AUTOMATIC = 26
pytestmark = pytest.mark.slow


def test_reference_gets_every_automatic_point(torch_hw7_graded):
    result = torch_hw7_graded["results"]["reference_solution"]
    assert failed_checks(result) == frozenset()
    assert result.score == AUTOMATIC and result.pending_points == 6


def test_every_sample_is_listed():
    samples = {p.stem if p.suffix else p.name for p in (Path(__file__).parents[2] / "submissions" / "torch_hw7").iterdir()}
    assert samples == set(EXPECTED)


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_sample_loses_exactly_the_checks_its_bug_touches(torch_hw7_graded, student):
    result = torch_hw7_graded["results"][student]
    expected = EXPECTED[student]
    assert failed_checks(result) == frozenset(expected["fails"]), "\n".join(
        f"{c.check_id}: {c.message}" for c in result.checks if c.score < c.max_score and not c.is_manual
    )
    assert result.run.status == expected["run"], result.run.message
    if expected["correct"]:
        assert result.score == AUTOMATIC


def test_mutants_fail_exactly_their_labelled_checks(torch_hw7_graded):
    wrong = {}
    for mutant in torch_hw7_graded["mutants"]:
        actual = failed_checks(torch_hw7_graded["results"][f"mutant_{mutant.name}"])
        if actual != mutant.fails:
            wrong[mutant.name] = (sorted(mutant.fails), sorted(actual))
    assert not wrong


def test_every_check_can_fail(torch_hw7_graded):
    caught = set()
    for mutant in torch_hw7_graded["mutants"]:
        caught |= failed_checks(torch_hw7_graded["results"][f"mutant_{mutant.name}"])
    assert {c.id for c in torch_hw7_graded["rubric"].checks} - caught == set()


def test_every_failed_check_explains_itself(torch_hw7_graded):
    for result in torch_hw7_graded["results"].values():
        for check in result.checks:
            if check.score < check.max_score and not check.is_manual:
                assert check.message and check.expected and check.hint, (result.student_id, check.check_id)


def test_the_grader_ships_the_support_file(torch_hw7_graded):
    """The student's own hw7_support.py (the hw6 file, whose plotRegression raises) is replaced by ours."""
    result = torch_hw7_graded["results"]["bo_correct_own_support_file"]
    assert "this is the support file of homework 6" not in result.run.stdout_tail
    assert "test_dropout passed" in result.run.stdout_tail


def test_report_links_the_broken_cell(torch_hw7_graded):
    report = (torch_hw7_graded["out"] / "torch_hw7" / "feedback" / "ned_syntax_error_in_q10.md").read_text()
    assert "## Notebook cells that did not run cleanly" in report and "SyntaxError" in report
    lost = report.split("## Where you lost points")[1]
    assert "Q10 patient early stopping" in lost and "](#cell-" in lost


def test_a_cell_that_never_ends_is_stopped_and_the_rest_is_graded(torch_hw7_graded):
    result = torch_hw7_graded["results"]["oz_never_ends"]
    assert result.run.status == "ok" and result.score == AUTOMATIC
    report = (torch_hw7_graded["out"] / "torch_hw7" / "feedback" / "oz_never_ends.md").read_text()
    assert "did not finish in time: stopped at the limit of 60 s per cell" in report
