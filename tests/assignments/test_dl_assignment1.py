"""dl_assignment1 (a notebook) end to end: the reference and every correct notebook get every automatic point;
every mistake (sample or mutant) loses exactly the checks its bug touches; every check is failed by a mutant;
a broken or never-ending cell costs only what depends on it, and the report says which cell."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from grader.selftest import failed_checks

EXPECTED = tomllib.loads((Path(__file__).parents[1] / "samples" / "dl_assignment1_expected.toml").read_text())
AUTOMATIC = 22
pytestmark = pytest.mark.slow


def test_reference_gets_every_automatic_point(dl_assignment1_graded):
    result = dl_assignment1_graded["results"]["reference_solution"]
    assert failed_checks(result) == frozenset()
    assert result.score == AUTOMATIC and result.pending_points == 20


def test_every_sample_is_listed():
    samples = {p.stem if p.suffix else p.name for p in (Path(__file__).parents[2] / "submissions" / "dl_assignment1").iterdir()}
    assert samples == set(EXPECTED)


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_sample_loses_exactly_the_checks_its_bug_touches(dl_assignment1_graded, student):
    result = dl_assignment1_graded["results"][student]
    expected = EXPECTED[student]
    assert failed_checks(result) == frozenset(expected["fails"]), "\n".join(
        f"{c.check_id}: {c.message}" for c in result.checks if c.score < c.max_score and not c.is_manual
    )
    assert result.run.status == expected["run"], result.run.message
    if expected["correct"]:
        assert result.score == AUTOMATIC


def test_mutants_fail_exactly_their_labelled_checks(dl_assignment1_graded):
    wrong = {}
    for mutant in dl_assignment1_graded["mutants"]:
        actual = failed_checks(dl_assignment1_graded["results"][f"mutant_{mutant.name}"])
        if actual != mutant.fails:
            wrong[mutant.name] = (sorted(mutant.fails), sorted(actual))
    assert not wrong


def test_every_check_can_fail(dl_assignment1_graded):
    caught = set()
    for mutant in dl_assignment1_graded["mutants"]:
        caught |= failed_checks(dl_assignment1_graded["results"][f"mutant_{mutant.name}"])
    assert {c.id for c in dl_assignment1_graded["rubric"].checks} - caught == set()


def test_every_failed_check_explains_itself(dl_assignment1_graded):
    for result in dl_assignment1_graded["results"].values():
        for check in result.checks:
            if check.score < check.max_score and not check.is_manual:
                assert check.message and check.expected and check.hint, (result.student_id, check.check_id)


def test_report_names_and_links_the_failing_cell(dl_assignment1_graded):
    feedback = dl_assignment1_graded["out"] / "dl_assignment1" / "feedback"
    report = (feedback / "gia_syntax_error_in_make_layer.md").read_text()
    assert "## Notebook cells that did not run cleanly" in report
    assert "### Cell 44" in report and "SyntaxError: expected ':'" in report
    assert "[cell 44](#cell-44) raised an error" in report  # next to the make_layer checks
    html = (feedback / "gia_syntax_error_in_make_layer.html").read_text()
    assert 'id="cell-44"' in html and 'href="#cell-44"' in html
    never_ends = (feedback / "ivy_never_ends.md").read_text()
    assert "did not finish in time: stopped at the limit of 45 s per cell" in never_ends


def test_report_shows_figures_by_cell_and_the_names(dl_assignment1_graded):
    feedback = dl_assignment1_graded["out"] / "dl_assignment1" / "feedback"
    report = (feedback / "mia_double_negation.md").read_text()
    assert "## Figures your notebook drew" in report
    # the learning curves of the training cell appear next to the check they concern
    lost = report.split("## Where you lost points")[1].split("## Figures your notebook drew")[0]
    assert "Your figure from cell 56" in lost
    assert (feedback / "mia_double_negation_figures" / "figure_03.png").is_file()
    assert "**In the notebook:** group: 9 · names: Hal Jordan" in (feedback / "hal_input_and_failing_cells.md").read_text()


def test_a_malformed_notebook_is_explained(dl_assignment1_graded):
    result = dl_assignment1_graded["results"]["leo_malformed_json"]
    assert "is not a valid notebook: its JSON is broken" in result.run.message
