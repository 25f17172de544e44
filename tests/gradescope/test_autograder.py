"""The Gradescope bundle, unpacked into a folder laid out like /autograder, grades a hand-in as `grader run` does."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.assignments import grader_home, load_assignment
from grader.gradescope.bundle import build_bundle

pytestmark = pytest.mark.slow
SAMPLES = grader_home() / "tests" / "samples" / "bench_layers" / "class"


def autograder_root(tmp_path: Path, sample: str) -> Path:
    """/autograder as Gradescope prepares it: source/ (the bundle), run_autograder, submission/."""
    root = tmp_path / "autograder"
    bundle = tmp_path / "autograder.zip"
    build_bundle("bench_layers", bundle)
    with zipfile.ZipFile(bundle) as handle:
        handle.extractall(root / "source")
    shutil.copyfile(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    shutil.copyfile(SAMPLES / sample, root / "submission" / "layers.py")
    return root


def run_autograder(root: Path) -> dict:
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_bundle_has_the_two_scripts_at_its_root(tmp_path):
    names = build_bundle("bench_layers", tmp_path / "a.zip")
    assert {"setup.sh", "run_autograder", "rubrics/bench_layers.toml", "probes/bench_layers.py",
            "grader/gradescope/autograder.py", "pyproject.toml"} <= set(names)
    with zipfile.ZipFile(tmp_path / "a.zip") as handle:
        mode = handle.getinfo("run_autograder").external_attr >> 16
        assert mode & stat.S_IXUSR
        assert "grader.gradescope.autograder" in handle.read("run_autograder").decode()
    assert (tmp_path / "a.zip").read_bytes() == (build_bundle("bench_layers", tmp_path / "b.zip") and (tmp_path / "b.zip").read_bytes())


def test_correct_hand_in_gets_full_automatic_score(tmp_path):
    results = run_autograder(autograder_root(tmp_path, "ada_correct.py"))
    rubric = load_assignment("bench_layers")
    assert results["score"] == sum(c.points for c in rubric.checks)
    assert [t["name"] for t in results["tests"]] == [c.title for c in rubric.checks]
    assert all(set(t) >= {"name", "score", "max_score", "visibility", "output"} for t in results["tests"])
    hidden = {c.title for c in rubric.checks if c.visibility == "hidden"}
    assert {t["visibility"] for t in results["tests"] if t["name"] in hidden} == {"after_published"}


def test_a_mistake_costs_its_check_with_an_explanation(tmp_path):
    results = run_autograder(autograder_root(tmp_path, "bob_bgrad_mean.py"))
    lost = [t for t in results["tests"] if t["score"] < t["max_score"]]
    assert lost and all(t["output"] for t in lost)
    assert results["score"] < sum(t["max_score"] for t in results["tests"])


def test_no_hand_in_still_writes_results(tmp_path):
    root = autograder_root(tmp_path, "ada_correct.py")
    (root / "submission" / "layers.py").unlink()
    results = run_autograder(root)
    assert results["score"] == 0 and "layers.py" in results["output"]
