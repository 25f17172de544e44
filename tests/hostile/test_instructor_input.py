"""Bad instructor input through the command line: one clear line (exit status 2), never a traceback.

tests/cli and tests/rubric cover a missing or empty folder, an unknown assignment and broken rubrics as
data; this adds what an instructor meets through `grader run`: duplicate student ids, broken rubrics,
a reference that fails its own rubric, an output folder that cannot be made, a broken manual_scores.csv.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.selftest import write_mutants
from tests.hostile import corpus
from tests.hostile.conftest import REPO

FILES = Path(__file__).parent / "instructor"
#: tests/rubric's broken rubrics, with their tiny reference and probe: a GRADER_HOME of broken assignments
BROKEN_RUBRICS = REPO / "tests" / "rubric" / "files"


def run_cli(*args: str, cwd: Path, home: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GRADER_HOME"}
    if home is not None:
        env["GRADER_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def assert_one_clear_line(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    text = " ".join(result.stdout.split())
    assert text.startswith("error:") and message in text, text


def small_class(folder: Path) -> Path:
    folder.mkdir()
    (folder / "ada.py").write_text(corpus.compose(("classes", "train"), ""))
    return folder


def test_duplicate_student_ids(tmp_path):
    result = run_cli("run", str(FILES / "duplicate_ids"), "--assignment", "numpy_nn", "--out", "out", cwd=tmp_path)
    assert_one_clear_line(result, "two submissions in")
    assert "map to the student id 'a_b': a b.py and a_b.py; rename one of them" in " ".join(result.stdout.split())
    assert not (tmp_path / "out").exists()


def test_a_file_instead_of_the_submissions_folder(tmp_path):
    result = run_cli("run", str(FILES / "duplicate_ids" / "a_b.py"), "--assignment", "numpy_nn", cwd=tmp_path)
    assert_one_clear_line(result, "is a file, not a folder")


@pytest.mark.parametrize(
    "rubric, message",
    [
        ("misspelt_kind", "has unknown kind 'match_refrence'; did you mean 'match_reference'?"),
        ("points_do_not_add_up", "section 'a' declares 5 points but its items add up to 3"),
        ("missing_reference", "the reference file"),
        ("not_toml", "not valid TOML"),
        ("unknown_field", "has unknown field(s) ['rtoll']"),
        ("requires_unknown_class", "requires 'Other.forward', which is not in [api]"),
    ],
)
def test_broken_rubrics(tmp_path, rubric, message):
    folder = small_class(tmp_path / "class")
    result = run_cli("run", str(folder), "--assignment", rubric, "--out", "out", cwd=tmp_path, home=BROKEN_RUBRICS)
    assert_one_clear_line(result, message)


@pytest.mark.slow
def test_reference_that_fails_its_own_rubric(tmp_path):
    """GRADER_HOME whose reference has a known mistake (a mutant): grading refuses to start."""
    home = tmp_path / "home"
    (home / "rubrics").mkdir(parents=True)
    shutil.copyfile(corpus.HOME / "rubrics" / "numpy_nn.toml", home / "rubrics" / "numpy_nn.toml")
    (home / "probes").symlink_to(REPO / "probes")
    mutants = write_mutants(load_assignment("numpy_nn", corpus.HOME), tmp_path / "mutants")
    bgrad_mean = next(m for m in mutants if m.name == "bgrad_mean")
    (home / "reference").mkdir()
    shutil.copyfile(tmp_path / "mutants" / f"{bgrad_mean.name}.py", home / "reference" / "numpy_nn.py")
    folder = small_class(tmp_path / "class")
    result = run_cli("run", str(folder), "--assignment", "numpy_nn", "--out", "out", cwd=tmp_path, home=home)
    assert_one_clear_line(result, "does not pass its own rubric")
    assert "'linear_backward_numerical'" in result.stdout


def test_output_folder_that_is_a_file(tmp_path):
    folder = small_class(tmp_path / "class")
    (tmp_path / "taken").write_text("not a folder")
    result = run_cli("run", str(folder), "--assignment", "numpy_nn", "--out", "taken", cwd=tmp_path)
    assert_one_clear_line(result, "cannot create the output folder taken/numpy_nn: Not a directory")


@pytest.fixture(scope="module")
def small_class_graded(tmp_path_factory) -> Path:
    """A small class graded once (its tests share one pytest-xdist worker); each manual-scores test works on a
    copy of its output folder."""
    work = tmp_path_factory.mktemp("graded")
    folder = small_class(work / "class")
    graded = run_cli("run", str(folder), "--assignment", "numpy_nn", "--out", "out", cwd=work, home=corpus.HOME)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    return work


@pytest.mark.slow
@pytest.mark.parametrize(
    "csv, message",
    [
        ("manual_wrong_column.csv", "manual scores lack the column(s) ['item_id']"),
        ("manual_not_a_number.csv", "could not convert string to float: 'four'"),
        ("manual_unknown_student.csv", "manual scores for unknown student id(s): zed"),
        ("manual_unknown_item.csv", "manual scores for unknown manual item(s) (student/item): ada/plotz"),
    ],
)
def test_broken_manual_scores(small_class_graded, tmp_path, csv, message):
    shutil.copytree(small_class_graded, tmp_path / "work")
    work = tmp_path / "work"
    shutil.copyfile(FILES / csv, work / "out" / "numpy_nn" / "manual_scores.csv")
    # unchanged submissions: nothing is run again, only the manual scores are read
    result = run_cli("run", str(work / "class"), "--assignment", "numpy_nn", "--out", "out", cwd=work, home=corpus.HOME)
    assert_one_clear_line(result, f"manual_scores.csv: {message}")
