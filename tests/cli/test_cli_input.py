"""Instructor input that used to end in a traceback: a usage error or one clear line instead."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.errors import GradingError
from grader.run import grade, plan


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("jobs, message", [("0", "must be at least 1, got 0"), ("-2", "must be at least 1, got -2"),
                                           ("two", "expected a whole number, got 'two'")])
@pytest.mark.parametrize("command", [["run", "class"], ["selftest", "numpy_nn"]])
def test_jobs_below_one_is_a_usage_error(tmp_path, command, jobs, message):
    result = run_cli(*command, "--jobs", jobs, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr and "usage:" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_the_python_api_refuses_jobs_below_one(tmp_path):
    with pytest.raises(GradingError, match="jobs must be at least 1"):
        grade(tmp_path, "numpy_nn", tmp_path / "out", jobs=-1)


def test_a_folder_named_after_an_assignment_is_graded_as_that_assignment(tmp_path):
    folder = tmp_path / "submissions" / "numpy_nn"
    folder.mkdir(parents=True)
    (folder / "ada.py").write_text("# ada\n")
    [(rubric, graded)] = plan(folder, None)
    assert rubric.name == "numpy_nn" and graded == folder


def test_a_result_store_that_is_not_one_gets_one_clear_line(tmp_path):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ada.py").write_text("# ada\n")
    (tmp_path / "out" / "numpy_nn").mkdir(parents=True)
    (tmp_path / "out" / "numpy_nn" / "results.sqlite").write_text("not a database, not even close to one\n" * 20)
    result = run_cli("run", "class", "--assignment", "numpy_nn", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2 and "results.sqlite: file is not a database" in " ".join(result.stdout.split())
    assert "Traceback" not in result.stdout + result.stderr


def test_a_scheduler_address_without_a_port_gets_one_clear_line(tmp_path):
    pytest.importorskip("distributed")
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "ada.py").write_text("# ada\n")
    result = run_cli("run", "class", "--assignment", "numpy_nn", "--scheduler", "nonsense", cwd=tmp_path)
    assert result.returncode == 2 and "cannot reach the Dask scheduler at nonsense" in " ".join(result.stdout.split())
    assert "Traceback" not in result.stdout + result.stderr
