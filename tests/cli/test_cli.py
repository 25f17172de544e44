"""The command line, as an instructor uses it: outputs on success, one clear line (no traceback) on bad input."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from grader.assignments import grader_home

SAMPLES = grader_home() / "submissions" / "numpy_nn"
pytestmark = pytest.mark.slow


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def small_class(folder: Path, *students: str) -> Path:
    folder.mkdir()
    for student in students:
        shutil.copyfile(SAMPLES / f"{student}.py", folder / f"{student}.py")
    return folder


def test_run_writes_gradebook_feedback_and_exports_and_reruns_from_cache(tmp_path):
    folder = small_class(tmp_path / "class", "ben_correct_einsum", "bob_bgrad_mean")
    result = run_cli("run", str(folder), "--assignment", "numpy_nn", "--out", "out", "--jobs", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = tmp_path / "out" / "numpy_nn"
    gradebook = pd.read_csv(out / "gradebook.csv")
    assert list(gradebook["student_id"]) == ["ben_correct_einsum", "bob_bgrad_mean"]
    assert list(gradebook["auto_points"]) == [31, 26]
    assert "b_grad" in (out / "feedback" / "bob_bgrad_mean.md").read_text()
    assert (out / "feedback" / "ben_correct_einsum.html").is_file()
    assert pd.read_csv(out / "lms_grades.csv").shape[0] == 2
    assert "ben_correct_einsum" in result.stdout
    before = (out / "gradebook.csv").read_bytes()
    again = run_cli("run", str(folder), "--assignment", "numpy_nn", "--out", "out", cwd=tmp_path)
    assert again.returncode == 0 and (out / "gradebook.csv").read_bytes() == before
    # a TA scores the manual item; the next (cached) run counts it and the status becomes graded
    (out / "manual_scores.csv").write_text("student_id,item_id,points\nben_correct_einsum,plots,3.5\n")
    assert run_cli("run", str(folder), "--assignment", "numpy_nn", "--out", "out", cwd=tmp_path).returncode == 0
    row = pd.read_csv(out / "gradebook.csv").set_index("student_id").loc["ben_correct_einsum"]
    assert (row["plots"], row["total"], row["status"]) == (3.5, 34.5, "graded")


def test_infers_the_assignment_from_file_names(tmp_path):
    folder = tmp_path / "class"
    (folder / "ada").mkdir(parents=True)
    shutil.copyfile(SAMPLES / "ben_correct_einsum.py", folder / "ada" / "numpy_nn.py")
    result = run_cli("run", str(folder), "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "out" / "numpy_nn" / "feedback" / "ada.md").is_file()


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "missing_folder", "--assignment", "numpy_nn"], "submissions folder not found"),
        (["run", "empty", "--assignment", "numpy_nn"], "no submissions in"),
        (["run", "empty", "--assignment", "numpy_n"], "unknown assignment 'numpy_n'"),
        (["run", "empty"], "cannot tell which assignment"),
    ],
)
def test_bad_input_gets_one_clear_line(tmp_path, args, message):
    (tmp_path / "empty").mkdir()
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in " ".join(result.stdout.split())
    assert "Traceback" not in result.stdout + result.stderr


def test_list_names_the_assignments(tmp_path):
    result = run_cli("list", cwd=tmp_path)
    assert result.returncode == 0 and "numpy_nn" in result.stdout
