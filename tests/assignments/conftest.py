"""Grade the numpy_nn sample class and the reference's mutants once per test session (it takes minutes)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.assignments import grader_home, load_assignment
from grader.run import grade
from grader.selftest import write_mutants
from grader.store.results import ResultStore

SAMPLES = grader_home() / "submissions" / "numpy_nn"


@pytest.fixture(scope="session")
def numpy_nn_graded(tmp_path_factory) -> dict:
    """Results for every sample submission and every mutant, keyed by student id."""
    work = tmp_path_factory.mktemp("numpy_nn")
    folder = work / "class"
    shutil.copytree(SAMPLES, folder)
    rubric = load_assignment("numpy_nn")
    mutants = write_mutants(rubric, work / "mutants")
    for mutant in mutants:
        shutil.copyfile(work / "mutants" / f"{mutant.name}.py", folder / f"mutant_{mutant.name}.py")
    shutil.copyfile(rubric.reference, folder / "reference_solution.py")
    gradebook = grade(folder, "numpy_nn", work / "out", jobs=2, use_cache=False)
    with ResultStore(work / "out" / "numpy_nn" / "results.sqlite") as store:
        results = {r.student_id: r for r in store.results("numpy_nn")}
    return {"results": results, "gradebook": gradebook, "mutants": mutants, "rubric": rubric, "out": work / "out"}


@pytest.fixture(scope="session")
def pol_reg_torch_graded(tmp_path_factory) -> dict:
    """Results for every pol_reg_torch sample and mutant, and the reference, keyed by student id."""
    work = tmp_path_factory.mktemp("pol_reg_torch")
    folder = work / "class"
    shutil.copytree(grader_home() / "submissions" / "pol_reg_torch", folder)
    rubric = load_assignment("pol_reg_torch")
    mutants = write_mutants(rubric, work / "mutants")
    for mutant in mutants:
        shutil.copyfile(work / "mutants" / f"{mutant.name}.py", folder / f"mutant_{mutant.name}.py")
    shutil.copyfile(rubric.reference, folder / "reference_solution.py")
    gradebook = grade(folder, "pol_reg_torch", work / "out", jobs=2, use_cache=False)
    with ResultStore(work / "out" / "pol_reg_torch" / "results.sqlite") as store:
        results = {r.student_id: r for r in store.results("pol_reg_torch")}
    return {"results": results, "gradebook": gradebook, "mutants": mutants, "rubric": rubric, "out": work / "out"}


@pytest.fixture(scope="session")
def torch_regression_graded(tmp_path_factory) -> dict:
    """Results for every torch_regression sample and mutant, and the reference, keyed by student id."""
    work = tmp_path_factory.mktemp("torch_regression")
    folder = work / "class"
    shutil.copytree(grader_home() / "submissions" / "torch_regression", folder)
    rubric = load_assignment("torch_regression")
    mutants = write_mutants(rubric, work / "mutants")
    for mutant in mutants:
        shutil.copyfile(work / "mutants" / f"{mutant.name}.py", folder / f"mutant_{mutant.name}.py")
    shutil.copyfile(rubric.reference, folder / "reference_solution.py")
    gradebook = grade(folder, "torch_regression", work / "out", jobs=2, use_cache=False)
    with ResultStore(work / "out" / "torch_regression" / "results.sqlite") as store:
        results = {r.student_id: r for r in store.results("torch_regression")}
    return {"results": results, "gradebook": gradebook, "mutants": mutants, "rubric": rubric, "out": work / "out"}


@pytest.fixture(scope="session")
def d2l_linreg_graded(tmp_path_factory) -> dict:
    """Results for every d2l_linreg sample and mutant, and the reference, keyed by student id."""
    work = tmp_path_factory.mktemp("d2l_linreg")
    folder = work / "class"
    shutil.copytree(grader_home() / "submissions" / "d2l_linreg", folder)
    rubric = load_assignment("d2l_linreg")
    mutants = write_mutants(rubric, work / "mutants")
    for mutant in mutants:
        shutil.copyfile(work / "mutants" / f"{mutant.name}.py", folder / f"mutant_{mutant.name}.py")
    shutil.copyfile(rubric.reference, folder / "reference_solution.py")
    gradebook = grade(folder, "d2l_linreg", work / "out", jobs=2, use_cache=False)
    with ResultStore(work / "out" / "d2l_linreg" / "results.sqlite") as store:
        results = {r.student_id: r for r in store.results("d2l_linreg")}
    return {"results": results, "gradebook": gradebook, "mutants": mutants, "rubric": rubric, "out": work / "out"}


def _graded_notebook_class(tmp_path_factory, assignment: str) -> dict:
    """Every sample notebook of `assignment`, every mutant (as a notebook) and the reference, graded once."""
    work = tmp_path_factory.mktemp(assignment)
    folder = work / "class"
    shutil.copytree(grader_home() / "submissions" / assignment, folder)
    rubric = load_assignment(assignment)
    mutants = write_mutants(rubric, work / "mutants")
    suffix = rubric.reference.suffix
    for mutant in mutants:
        shutil.copyfile(work / "mutants" / f"{mutant.name}{suffix}", folder / f"mutant_{mutant.name}{suffix}")
    shutil.copyfile(rubric.reference, folder / f"reference_solution{suffix}")
    gradebook = grade(folder, assignment, work / "out", jobs=2, use_cache=False)
    with ResultStore(work / "out" / assignment / "results.sqlite") as store:
        results = {r.student_id: r for r in store.results(assignment)}
    return {"results": results, "gradebook": gradebook, "mutants": mutants, "rubric": rubric, "out": work / "out"}


@pytest.fixture(scope="session")
def dl_assignment1_graded(tmp_path_factory) -> dict:
    """dl_assignment1 (a notebook assignment): samples, mutants and reference, keyed by student id."""
    return _graded_notebook_class(tmp_path_factory, "dl_assignment1")


@pytest.fixture(scope="session")
def torch_hw7_graded(tmp_path_factory) -> dict:
    """torch_hw7 (a notebook assignment with a support file): samples, mutants and reference, keyed by student id."""
    return _graded_notebook_class(tmp_path_factory, "torch_hw7")
