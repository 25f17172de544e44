"""pol_reg_torch end to end: the reference and every correct variant get every automatic point; every mistake
(sample or mutant) loses exactly the checks its bug touches; every check is failed by at least one mutant;
manual items stay pending (not zero) and a script that follows no contract keeps what its behaviour shows."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from grader.report.gradebook import apply_manual_scores, build_gradebook
from grader.selftest import failed_checks

EXPECTED = tomllib.loads((Path(__file__).parents[1] / "samples" / "pol_reg_torch_expected.toml").read_text())
pytestmark = pytest.mark.slow
AUTOMATIC, MANUAL = 18.5, 6.5


def test_reference_gets_every_automatic_point(pol_reg_torch_graded):
    result = pol_reg_torch_graded["results"]["reference_solution"]
    assert failed_checks(result) == frozenset()
    assert result.score == AUTOMATIC and result.pending_points == MANUAL
    assert pol_reg_torch_graded["rubric"].max_points == AUTOMATIC + MANUAL == 25


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_sample_loses_exactly_the_checks_its_bug_touches(pol_reg_torch_graded, student):
    result = pol_reg_torch_graded["results"][student]
    expected = EXPECTED[student]
    assert failed_checks(result) == frozenset(expected["fails"]), "\n".join(
        f"{c.check_id}: {c.message}" for c in result.checks if c.score < c.max_score and not c.is_manual
    )
    assert result.run.status == expected["run"], result.run.message


def test_correct_variants_get_every_automatic_point(pol_reg_torch_graded):
    results = pol_reg_torch_graded["results"]
    correct = [s for s, e in EXPECTED.items() if e["correct"]]
    assert len(correct) >= 6 and all(results[s].score == AUTOMATIC for s in correct)


def test_every_failed_check_explains_itself(pol_reg_torch_graded):
    for result in pol_reg_torch_graded["results"].values():
        for check in result.checks:
            if check.score < check.max_score and not check.is_manual:
                assert check.message and check.expected and check.hint, (result.student_id, check.check_id)


def test_mutants_fail_exactly_their_labelled_checks(pol_reg_torch_graded):
    wrong = {}
    for mutant in pol_reg_torch_graded["mutants"]:
        actual = failed_checks(pol_reg_torch_graded["results"][f"mutant_{mutant.name}"])
        if actual != mutant.fails:
            wrong[mutant.name] = (sorted(mutant.fails), sorted(actual))
    assert not wrong


def test_every_check_can_fail(pol_reg_torch_graded):
    caught = set()
    for mutant in pol_reg_torch_graded["mutants"]:
        caught |= failed_checks(pol_reg_torch_graded["results"][f"mutant_{mutant.name}"])
    assert {c.id for c in pol_reg_torch_graded["rubric"].checks} - caught == set()


def test_a_script_without_the_contract_needs_review(pol_reg_torch_graded):
    """The checks of missing functions are skipped with a reason; the figures count; the row is marked for a TA,
    with what the script printed, drew and left in its globals."""
    result = pol_reg_torch_graded["results"]["omar_no_contract"]
    by_id = {c.check_id: c for c in result.checks}
    # the global `exact` holds the least-squares weights: found by value, credited
    assert by_id["figures_drawn"].status == "passed" and by_id["closed_form_recipe"].status == "passed"
    assert result.score == 1.5
    assert by_id["closed_form_other_data"].status == "skipped"
    assert "closed_form is not defined" in by_id["closed_form_other_data"].message
    assert result.status == "needs-review" and result.pending_points == MANUAL
    review = result.extra["needs_review"]
    assert "closed_form" in review["reason"] and len(review["figures"]) == 2
    assert "exact solution" in review["printed"]
    assert any(line.startswith("exact (Tensor)") for line in review["globals"])
    assert any(note.startswith("Needs review.") for note in result.notes)
    manual = pd.DataFrame([{"student_id": "omar_no_contract", "item_id": m.id, "points": m.points}
                           for m in pol_reg_torch_graded["rubric"].manual])
    [graded] = apply_manual_scores([result], manual)
    row = build_gradebook([graded]).iloc[0]
    assert row["total"] == 1.5 + MANUAL and row["pending_points"] == 0


def test_figures_and_outputs_exist_for_everyone(pol_reg_torch_graded):
    out = pol_reg_torch_graded["out"] / "pol_reg_torch"
    for student, result in pol_reg_torch_graded["results"].items():
        assert (out / "feedback" / f"{student}.md").is_file()
        assert (out / "feedback" / f"{student}.html").is_file()
    for student in ("reference_solution", "amy_correct_vander_closure", "omar_no_contract"):
        assert len(pol_reg_torch_graded["results"][student].extra["figures"]) == 2, student
    assert (out / "gradebook.csv").is_file() and (out / "lms_grades.csv").is_file()
