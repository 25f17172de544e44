"""Same submissions + same rubric = byte-identical gradebook rows, feedback and figures, run after run.

The first run is the numpy_nn sample class graded once for the whole test session; the second grades
four of its students again in a fresh output folder.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.assignments import grader_home
from grader.run import grade

SAMPLES = grader_home() / "submissions" / "numpy_nn"
# correct float32 and float64 code, a failing init (its message quotes sampled values), a failing gradient
STUDENTS = ["ivy_correct_float32", "gia_init_randn", "bob_bgrad_mean", "lou_correct_lr_decay"]


def _outputs(root: Path) -> dict[str, bytes]:
    """Each student's feedback files and figures, and each gradebook row, by name."""
    files = {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "feedback").rglob("*"))
             if p.is_file() and any(p.name.startswith(s) or p.parent.name.startswith(s) for s in STUDENTS)}
    for name in ("gradebook.csv", "lms_grades.csv"):
        lines = (root / name).read_text().splitlines()
        files[f"{name}:header"] = lines[0].encode()
        files.update({f"{name}:{line.split(',')[0]}": line.encode() for line in lines[1:]
                      if line.split(",")[0] in STUDENTS})
    return files


@pytest.mark.slow
def test_two_runs_give_identical_outputs(numpy_nn_graded, tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for student in STUDENTS:
        shutil.copyfile(SAMPLES / f"{student}.py", folder / f"{student}.py")
    grade(folder, "numpy_nn", tmp_path / "again", jobs=2, use_cache=False)
    first, second = _outputs(numpy_nn_graded["out"] / "numpy_nn"), _outputs(tmp_path / "again" / "numpy_nn")
    assert len(second) > 3 * len(STUDENTS) and first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
