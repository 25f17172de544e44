"""Grade each assignment's sample class, its mutants and its reference once per test session (it takes minutes)."""
from __future__ import annotations

import shutil

import pytest

from grader.assignments import grader_home, load_assignment
from grader.run import grade
from grader.selftest import write_mutants
from grader.store.results import ResultStore


def _graded_class(tmp_path_factory, assignment: str) -> dict:
    """Every sample of `assignment`, every mutant (as `mutant_<name>`) and the reference, graded once.

    Graded with the cache on, in a fresh output folder: the samples run in the sandbox; each mutant and the
    reference replay the run of the identical hand-in made when the reference was set up and its known
    mistakes observed (the same probe on the same inputs), moments before or, for the known mistakes, in an
    earlier test run of the same code (kept in the grader's cache): a mutant costs one run at most.
    """
    work = tmp_path_factory.mktemp(assignment)
    folder = work / "class"
    shutil.copytree(grader_home() / "submissions" / assignment, folder)
    rubric = load_assignment(assignment)
    mutants = write_mutants(rubric, work / "mutants")
    suffix = rubric.reference.suffix
    for mutant in mutants:
        shutil.copyfile(work / "mutants" / f"{mutant.name}{suffix}", folder / f"mutant_{mutant.name}{suffix}")
    shutil.copyfile(rubric.reference, folder / f"reference_solution{suffix}")
    gradebook = grade(folder, assignment, work / "out", jobs=2, use_cache=True)
    with ResultStore(work / "out" / assignment / "results.sqlite") as store:
        results = {r.student_id: r for r in store.results(assignment)}
    return {"results": results, "gradebook": gradebook, "mutants": mutants, "rubric": rubric, "out": work / "out"}


@pytest.fixture(scope="session")
def numpy_nn_graded(tmp_path_factory) -> dict:
    """numpy_nn: samples, mutants and reference, keyed by student id."""
    return _graded_class(tmp_path_factory, "numpy_nn")


@pytest.fixture(scope="session")
def pol_reg_torch_graded(tmp_path_factory) -> dict:
    """pol_reg_torch: samples, mutants and reference, keyed by student id."""
    return _graded_class(tmp_path_factory, "pol_reg_torch")


@pytest.fixture(scope="session")
def torch_regression_graded(tmp_path_factory) -> dict:
    """torch_regression: samples, mutants and reference, keyed by student id."""
    return _graded_class(tmp_path_factory, "torch_regression")


@pytest.fixture(scope="session")
def d2l_linreg_graded(tmp_path_factory) -> dict:
    """d2l_linreg: samples, mutants and reference, keyed by student id."""
    return _graded_class(tmp_path_factory, "d2l_linreg")


@pytest.fixture(scope="session")
def dl_assignment1_graded(tmp_path_factory) -> dict:
    """dl_assignment1 (a notebook assignment): samples, mutants and reference, keyed by student id."""
    return _graded_class(tmp_path_factory, "dl_assignment1")


@pytest.fixture(scope="session")
def torch_hw7_graded(tmp_path_factory) -> dict:
    """torch_hw7 (a notebook assignment with a support file): samples, mutants and reference, keyed by student id."""
    return _graded_class(tmp_path_factory, "torch_hw7")
