"""Known-mistake diagnosis end to end: every bundled sample that carries a known mistake is diagnosed with it
(tests/samples/<assignment>_diagnoses.toml), correct samples get none, every known mistake graded as a
student is recognised, and the report says so beside the hint without changing a point."""
from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from grader.results.diagnosis import diagnoses_in
from grader.run import grade
from grader.store.results import ResultStore

SAMPLES = Path(__file__).parents[1] / "samples"
pytestmark = pytest.mark.slow


def expected(assignment: str) -> dict[str, list[str]]:
    return tomllib.loads((SAMPLES / f"{assignment}_diagnoses.toml").read_text())


def failed_check_ids(result) -> list[str]:
    return sorted(c.check_id for c in result.checks if c.score < c.max_score and not c.is_manual)


def diagnosed(result) -> list[str]:
    return sorted(d.mistake for d in diagnoses_in(result.extra))


def assert_samples_diagnosed(assignment: str, graded: dict) -> None:
    wanted = expected(assignment)
    assert set(wanted) <= set(graded["results"])
    # the failed checks are in the message: a missed diagnosis is explained by what the student failed
    wrong = {student: (sorted(wanted.get(student, [])), diagnosed(result), failed_check_ids(result))
             for student, result in graded["results"].items()
             if not student.startswith("mutant_") and diagnosed(result) != sorted(wanted.get(student, []))}
    assert not wrong


# one test per class, each naming its fixture: the tests that share a graded class run on one worker
def test_numpy_nn_samples_are_diagnosed_with_their_known_mistakes(numpy_nn_graded):
    assert_samples_diagnosed("numpy_nn", numpy_nn_graded)


def test_pol_reg_torch_samples_are_diagnosed_with_their_known_mistakes(pol_reg_torch_graded):
    assert_samples_diagnosed("pol_reg_torch", pol_reg_torch_graded)


def test_torch_regression_samples_are_diagnosed_with_their_known_mistakes(torch_regression_graded):
    assert_samples_diagnosed("torch_regression", torch_regression_graded)


def test_d2l_linreg_samples_are_diagnosed_with_their_known_mistakes(d2l_linreg_graded):
    assert_samples_diagnosed("d2l_linreg", d2l_linreg_graded)


def test_dl_assignment1_samples_are_diagnosed_with_their_known_mistakes(dl_assignment1_graded):
    assert_samples_diagnosed("dl_assignment1", dl_assignment1_graded)


def test_torch_hw7_samples_are_diagnosed_with_their_known_mistakes(torch_hw7_graded):
    assert_samples_diagnosed("torch_hw7", torch_hw7_graded)


def test_numpy_nn_every_known_mistake_recognises_itself(numpy_nn_graded):
    results = numpy_nn_graded["results"]
    # a mistake seen only in the trained model's held-out loss has no observation to tell it apart
    outcome_only = {m.name for m in numpy_nn_graded["mutants"] if m.fails == {"model_target_loss"}}
    missed = [m.name for m in numpy_nn_graded["mutants"]
              if m.name not in outcome_only and m.name not in diagnosed(results[f"mutant_{m.name}"])]
    assert not missed
    assert diagnosed(results["reference_solution"]) == []


def test_numpy_nn_report_names_the_mistake_beside_the_hint(numpy_nn_graded):
    report = (numpy_nn_graded["out"] / "numpy_nn" / "feedback" / "bob_bgrad_mean.md").read_text()
    assert "**Looks like a known mistake:** b_grad averaged over the batch instead of summed." in report
    gradebook = numpy_nn_graded["gradebook"].set_index("student_id")
    assert gradebook.loc["bob_bgrad_mean", "diagnosis"] == "bgrad_mean"
    assert gradebook.loc["ada_correct_in_out_layout", "diagnosis"] == ""


def test_bench_layers_samples_are_diagnosed(tmp_path):
    shutil.copytree(SAMPLES / "bench_layers" / "class", tmp_path / "class")
    grade(tmp_path / "class", "bench_layers", tmp_path / "out", jobs=2, use_cache=False)
    with ResultStore(tmp_path / "out" / "bench_layers" / "results.sqlite") as store:
        results = {r.student_id: r for r in store.results("bench_layers")}
    wanted = expected("bench_layers")
    assert {s: diagnosed(r) for s, r in results.items()} == {s: sorted(wanted.get(s, [])) for s in results}
