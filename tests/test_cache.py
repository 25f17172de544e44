"""The regrade cache: rerunning on an unchanged class does no sandbox work, a changed hand-in is regraded
alone, a rubric change regrades everything of that assignment (re-judging recorded runs when only the
checks changed), and use_cache=False forces everything.

Sandbox work is counted by a SandboxPool subclass put in place of grader.run's. The assignment is a copy
of bench_layers in a temporary GRADER_HOME (so its rubric can be edited); the class is four small hand-ins.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest

import grader.run
from grader.assignments import load_assignment
from grader.run import grade
from grader.selftest import write_mutants
from grader.sandbox.pool import SandboxPool
from grader.store.results import ResultStore

REPO = Path(__file__).resolve().parent.parent
CLASS = Path(__file__).parent / "samples" / "bench_layers" / "class"
ASSIGNMENT_FILES = ("rubrics/bench_layers.toml", "reference/bench_layers.py", "probes/bench_layers.py")
EXPECTED = {"ada_correct": 10.0, "bob_bgrad_mean": 8.0, "cai_no_relu": 8.0, "dan_syntax_error": 0.0}


class CountingPool(SandboxPool):
    """A SandboxPool that remembers which hand-ins it ran (the main file's text, read before the run)."""

    started = 0
    ran: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        CountingPool.started += 1
        super().__init__(*args, **kwargs)

    def run(self, task):
        main = next(iter(sorted((Path(task.workdir) / "submission").glob("*.py"))), None)
        CountingPool.ran.append(main.read_text() if main else "")
        return super().run(task)


@pytest.fixture
def home(monkeypatch) -> Iterator[Path]:
    """A GRADER_HOME with a copy of bench_layers; outside /tmp, which every sandboxed run sees privately."""
    path = Path(tempfile.mkdtemp(prefix="grader-cache-test-", dir="/var/tmp"))
    try:
        for relative in ASSIGNMENT_FILES:
            (path / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO / relative, path / relative)
        monkeypatch.setenv("GRADER_HOME", str(path))
        # the reference's kept run would otherwise come from whatever graded bench_layers before this test
        monkeypatch.setenv("GRADER_CACHE", str(path / "cache"))
        monkeypatch.setattr(grader.run, "SandboxPool", CountingPool)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copytree(CLASS, tmp_path / "class")
    return tmp_path / "class"


def _grade(folder: Path, out: Path, **kwargs) -> pd.DataFrame:
    CountingPool.started, CountingPool.ran = 0, []
    return grade(folder, "bench_layers", out, jobs=2, **kwargs)


def _finished(out: Path) -> dict[str, str]:
    with ResultStore(out / "bench_layers" / "results.sqlite") as store:
        return {r.student_id: store.finished_at(r.student_id, "bench_layers") for r in store.results("bench_layers")}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))


def test_an_unchanged_class_does_no_sandbox_work(home: Path, folder: Path, tmp_path: Path) -> None:
    first = _grade(folder, tmp_path / "out")
    assert dict(zip(first.student_id, first.total)) == EXPECTED
    assert len(CountingPool.ran) == len(EXPECTED) + 1  # and the reference
    stored = _finished(tmp_path / "out")

    second = _grade(folder, tmp_path / "out")
    assert CountingPool.started == 0 and CountingPool.ran == []  # not even a pool, nor the reference
    pd.testing.assert_frame_equal(first, second)
    assert _finished(tmp_path / "out") == stored


def test_reports_of_unchanged_results_are_not_written_again(home: Path, folder: Path, tmp_path: Path) -> None:
    _grade(folder, tmp_path / "out")
    feedback = tmp_path / "out" / "bench_layers" / "feedback"
    before = {p.name: p.stat().st_mtime_ns for p in feedback.glob("*.md")}
    (feedback / "bob_bgrad_mean.md").unlink()
    _grade(folder, tmp_path / "out")
    after = {p.name: p.stat().st_mtime_ns for p in feedback.glob("*.md")}
    assert after.keys() == before.keys()
    assert [name for name in after if after[name] != before[name]] == ["bob_bgrad_mean.md"]  # missing: rewritten


def test_a_changed_submission_is_regraded_alone(home: Path, folder: Path, tmp_path: Path) -> None:
    _grade(folder, tmp_path / "out")
    fixed = (folder / "ada_correct.py").read_text().replace("self.b_grad = grad_out.sum(axis=0)",
                                                            "self.b_grad = grad_out.sum(axis=0)  # checked")
    (folder / "bob_bgrad_mean.py").write_text(fixed)

    book = _grade(folder, tmp_path / "out")
    # one run: bob's new file; the reference's run is replayed from the store
    assert CountingPool.ran == [fixed]
    assert dict(zip(book.student_id, book.total)) == {**EXPECTED, "bob_bgrad_mean": 10.0}


def test_a_new_output_folder_replays_the_reference_run(home: Path, folder: Path, tmp_path: Path) -> None:
    first = _grade(folder, tmp_path / "first")
    reference = (home / "reference" / "bench_layers.py").read_text()
    assert CountingPool.ran.count(reference) == 1

    second = _grade(folder, tmp_path / "second")
    assert reference not in CountingPool.ran and len(CountingPool.ran) == len(EXPECTED)  # only the students
    pd.testing.assert_frame_equal(first, second)

    _grade(folder, tmp_path / "third", use_cache=False)
    assert CountingPool.ran.count(reference) == 1  # --no-cache runs the reference again


def test_a_removed_submission_leaves_the_gradebook(home: Path, folder: Path, tmp_path: Path) -> None:
    _grade(folder, tmp_path / "out")
    (folder / "cai_no_relu.py").unlink()
    book = _grade(folder, tmp_path / "out")
    assert CountingPool.ran == []
    assert "cai_no_relu" not in set(book.student_id)


def test_changing_a_check_rejudges_everything_without_running_it_again(home: Path, folder: Path, tmp_path: Path) -> None:
    _grade(folder, tmp_path / "out")
    stored = _finished(tmp_path / "out")
    # the ReLU check becomes worth 4 points: every stored result is stale, but no run's input changed
    rubric = home / "rubrics" / "bench_layers.toml"
    _edit(rubric, 'observe = ["relu.forward.y[*]", "relu.backward.dx[*]"]\nrtol = 1e-5\npoints = 2',
          'observe = ["relu.forward.y[*]", "relu.backward.dx[*]"]\nrtol = 1e-5\npoints = 4')
    _edit(rubric, 'id = "layers"\ntitle = "NumPy layers"\npoints = 10', 'id = "layers"\ntitle = "NumPy layers"\npoints = 12')

    rejudged = _grade(folder, tmp_path / "out")
    assert CountingPool.started == 0 and CountingPool.ran == []
    assert dict(zip(rejudged.student_id, rejudged.total)) == {
        "ada_correct": 12.0, "bob_bgrad_mean": 10.0, "cai_no_relu": 8.0, "dan_syntax_error": 0.0}
    assert set(stored) == set(_finished(tmp_path / "out"))  # every row was written again

    fresh = _grade(folder, tmp_path / "fresh", use_cache=False)
    assert len(CountingPool.ran) == len(EXPECTED) + 1
    pd.testing.assert_frame_equal(rejudged, fresh)


def test_changing_what_the_sandbox_sees_runs_everything_again(home: Path, folder: Path, tmp_path: Path) -> None:
    _grade(folder, tmp_path / "out")
    _edit(home / "rubrics" / "bench_layers.toml", "step_seconds = 5 ", "step_seconds = 6 ")
    _grade(folder, tmp_path / "out")
    assert len(CountingPool.ran) == len(EXPECTED) + 1


def test_no_cache_forces_every_run(home: Path, folder: Path, tmp_path: Path) -> None:
    _grade(folder, tmp_path / "out")
    book = _grade(folder, tmp_path / "out", use_cache=False)
    assert CountingPool.started == 1
    assert len(CountingPool.ran) == len(EXPECTED) + 1
    assert dict(zip(book.student_id, book.total)) == EXPECTED


def test_a_hand_in_identical_to_a_known_mistake_replays_its_run(home: Path, folder: Path, tmp_path: Path,
                                                               monkeypatch) -> None:
    shutil.copytree(REPO / "reference" / "bench_layers_mutants", home / "reference" / "bench_layers_mutants")
    monkeypatch.setenv("GRADER_CACHE", str(tmp_path / "cache"))
    write_mutants(load_assignment("bench_layers"), tmp_path / "mutants")
    shutil.copyfile(tmp_path / "mutants" / "bgrad_mean.py", folder / "eve_known_mistake.py")
    mistake = (folder / "eve_known_mistake.py").read_text()

    first = _grade(folder, tmp_path / "first")
    assert CountingPool.ran.count(mistake) == 1  # observed as a known mistake; Eve's copy replays that run
    second = _grade(folder, tmp_path / "second")  # a new output folder, the known mistakes' runs in the cache
    assert mistake not in CountingPool.ran
    pd.testing.assert_frame_equal(first, second)
    assert first.set_index("student_id").loc["eve_known_mistake", "total"] < 10


def test_default_jobs_is_the_number_of_cores(home: Path, folder: Path, tmp_path: Path, monkeypatch) -> None:
    seen = []

    class Recording(CountingPool):
        def __init__(self, jobs, *args, **kwargs):
            seen.append(jobs)
            super().__init__(1, *args, **kwargs)

    monkeypatch.setattr(grader.run, "SandboxPool", Recording)
    monkeypatch.setattr(grader.run.os, "cpu_count", lambda: 3)
    grade(folder, "bench_layers", tmp_path / "out")
    assert seen == [3]
