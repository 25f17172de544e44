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
