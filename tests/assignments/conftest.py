"""Grade each assignment's sample class, its mutants and its reference once per test session (it takes minutes)."""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import warnings
from contextlib import closing
from pathlib import Path

import pytest

from grader.assignments import cache_root, grader_home, load_assignment
from grader.run import grade
from grader.selftest import write_mutants
from grader.store.results import ResultStore


def _graded_class(tmp_path_factory, assignment: str) -> dict:
    """Every sample of `assignment`, every mutant (as `mutant_<name>`) and the reference, graded once.

    Graded with the cache on, in a fresh output folder: every hand-in is judged, scored and reported there.
    Each mutant and the reference replay the run of the identical hand-in made when the reference was set up
    and its known mistakes observed (kept in the grader's cache across test runs). The samples' runs are kept
    there too (`_kept_runs`): the first test run after a change to the code that decides a run (its key,
    `grader.store.runs.run_key`) runs every sample in the sandbox, the next ones replay those runs.
    `GRADER_TEST_FRESH_RUNS=1` runs them all again.
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
    store_path = work / "out" / assignment / "results.sqlite"
    _seed_runs(_kept_runs(assignment), store_path)
    gradebook = grade(folder, assignment, work / "out", jobs=2, use_cache=True)
    with ResultStore(store_path) as store:
        results = {r.student_id: r for r in store.results(assignment)}
    _keep_runs(store_path, _kept_runs(assignment))
    return {"results": results, "gradebook": gradebook, "mutants": mutants, "rubric": rubric, "out": work / "out"}


def _kept_runs(assignment: str) -> Path:
    return cache_root() / "sample-class-runs" / f"{assignment}.sqlite"


def _seed_runs(kept: Path, store_path: Path) -> None:
    """Put the runs the last test run recorded into a fresh output folder's store, to be replayed by key."""
    if os.environ.get("GRADER_TEST_FRESH_RUNS") == "1" or not kept.is_file():
        return
    store_path.parent.mkdir(parents=True, exist_ok=True)
    ResultStore(store_path).close()  # the store's own schema first
    try:
        with closing(sqlite3.connect(store_path)) as db:
            db.execute("ATTACH DATABASE ? AS kept", (str(kept),))
            db.execute("INSERT OR IGNORE INTO sandbox_runs SELECT * FROM kept.sandbox_runs")
            db.commit()
    except sqlite3.Error as exc:  # e.g. a store of another schema: the samples simply run
        warnings.warn(f"kept sample runs {kept} not used: {exc}", RuntimeWarning, stacklevel=2)


def _keep_runs(store_path: Path, kept: Path) -> None:
    """Replace the kept runs with this test run's (atomically: another test run may be reading them)."""
    kept.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=kept.parent, suffix=".sqlite")
    os.close(handle)
    try:
        with closing(sqlite3.connect(temporary)) as db:
            db.execute("ATTACH DATABASE ? AS graded", (str(store_path),))
            db.execute("CREATE TABLE sandbox_runs AS SELECT * FROM graded.sandbox_runs")
            db.commit()
        os.replace(temporary, kept)
    except (sqlite3.Error, OSError) as exc:
        Path(temporary).unlink(missing_ok=True)
        warnings.warn(f"sample runs not kept in {kept}: {exc}", RuntimeWarning, stacklevel=2)


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
