"""Same submissions + same rubric = byte-identical gradebook and feedback, run after run."""
from __future__ import annotations

import shutil

import pytest

from grader.assignments import grader_home
from grader.run import grade

SAMPLES = grader_home() / "submissions" / "numpy_nn"
# correct float32 and float64 code, a failing init (its message quotes sampled values), a failing gradient
STUDENTS = ["ivy_correct_float32", "gia_init_randn", "bob_bgrad_mean", "lou_correct_lr_decay"]


@pytest.mark.slow
def test_two_runs_give_identical_outputs(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for student in STUDENTS:
        shutil.copyfile(SAMPLES / f"{student}.py", folder / f"{student}.py")
    outputs = []
    for run in ("first", "second"):
        grade(folder, "numpy_nn", tmp_path / run, jobs=2, use_cache=False)
        root = tmp_path / run / "numpy_nn"
        files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".csv", ".md", ".html", ".png"))
        outputs.append({p.relative_to(root): p.read_bytes() for p in files})
    assert outputs[0].keys() == outputs[1].keys()
    assert [name for name in outputs[0] if outputs[0][name] != outputs[1][name]] == []
