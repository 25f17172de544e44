"""The visibility policy: what every run must not see, from one module for local and Dask grading."""
from __future__ import annotations

from pathlib import Path

from grader import visibility
from grader.assignments import grader_home, load_assignment


def test_run_hides_the_assignment_and_system_secrets_but_not_the_probe() -> None:
    rubric = load_assignment("numpy_nn")
    hidden = visibility.run_paths(rubric)
    assert rubric.reference.resolve().parent in hidden
    assert rubric.path.resolve().parent in hidden
    assert all(not rubric.probe.resolve().is_relative_to(p) for p in hidden)
    assert all(not Path(visibility.__file__).resolve().is_relative_to(p) for p in hidden)
    assert Path("/etc/shadow") in hidden or not Path("/etc/shadow").exists()


def test_class_paths_cover_hand_ins_and_outputs(tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    (tmp_path / "out").mkdir()
    hidden = visibility.class_paths(tmp_path / "class", tmp_path / "out")
    assert {(tmp_path / "class").resolve(), (tmp_path / "out").resolve()} <= set(hidden)
    assert grader_home() / "reference" in hidden


def test_worker_hides_the_copy_it_received(tmp_path: Path) -> None:
    for name in ("rubrics", "reference"):
        (tmp_path / name).mkdir()
    hidden = visibility.worker_paths(tmp_path)
    assert {tmp_path / "rubrics", tmp_path / "reference", grader_home() / "reference"} <= set(hidden)
