"""Run the assignment's known mistakes through the probe once, on the inputs every student gets.

Each known mistake becomes a hand-in in a temporary folder and runs in the sandbox exactly like a student's.
The runs go through a `CachedSandbox` backed by a store outside the output folder (`known_mistakes_store`),
so a mistake runs once per version of its hand-in, the probe, the limits and the grader's code, whatever
the output folder and even with `--no-cache`. The reference's own run is kept there too
(`assignment_runs`), so a new output folder does not train the reference again.
"""
from __future__ import annotations

import shutil
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from grader.checks.context import CheckContext
from grader.score.points import judge_submission
from grader.diagnose.match import KnownMistake
from grader.diagnose.mistakes import MistakeSpec, load_mistakes, mistake_source
from grader.observations import Observations
from grader.rubric import Rubric
from grader.assignments import cache_root
from grader.store.results import ResultStore
from grader.store.runs import CachedSandbox


def known_mistakes_store() -> Path | None:
    """<cache_root>/known_mistakes.sqlite, or None when the folder cannot be created."""
    root = cache_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return root / "known_mistakes.sqlite"


def observe_known_mistakes(pool, rubric: Rubric, reference: Observations,
                           heldout: dict[str, tuple[np.ndarray, np.ndarray]], hidden: tuple[Path, ...],
                           run_observed) -> tuple[KnownMistake, ...]:
    """Every diagnosable known mistake, run through `pool` (cached) and judged against the reference.

    `run_observed` is the grading stage's own run function (passed in so this module has no upward import).
    A mistake whose hand-in cannot be built is skipped with a warning: diagnosis is advice, never a blocker.
    """
    specs = [m for m in load_mistakes(rubric) if m.diagnose]
    if not specs:
        return ()
    work = Path(tempfile.mkdtemp(prefix="grader-known-"))
    try:
        files = _write_hand_ins(rubric, specs, work)
        heldout_x = {name: x for name, (x, _) in heldout.items()}
        with assignment_runs(pool, rubric) as runner:
            def observe(spec: MistakeSpec) -> KnownMistake:
                artifacts = run_observed(runner, rubric, files[spec.name], (), work, heldout_x, hidden, None)
                checks = judge_submission(rubric, CheckContext(artifacts.observations, reference, heldout))
                return KnownMistake(spec.name, spec.description, spec.kind, artifacts.observations, tuple(checks))

            with ThreadPoolExecutor(max_workers=max(1, getattr(pool, "jobs", 1))) as executor:
                observed = list(executor.map(observe, [s for s in specs if s.name in files]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tuple(observed)


def _write_hand_ins(rubric: Rubric, specs: list[MistakeSpec], folder: Path) -> dict[str, Path]:
    reference_text = rubric.reference.read_text(encoding="utf-8")
    files = {}
    for spec in specs:
        suffix = spec.file.suffix if spec.file is not None else rubric.reference.suffix
        try:
            text = mistake_source(rubric, spec, reference_text)
        except (OSError, ValueError) as exc:
            warnings.warn(f"known mistake '{spec.name}' of {rubric.name} cannot be built: {exc}", RuntimeWarning, stacklevel=3)
            continue
        path = folder / f"{spec.name}{suffix}"
        path.write_text(text, encoding="utf-8")
        files[spec.name] = path
    return files


@contextmanager
def known_runs() -> Iterator[ResultStore | None]:
    """The known-mistakes store, open; None when there is none or it cannot be opened (with a warning)."""
    path = known_mistakes_store()
    if path is None:
        yield None
        return
    try:
        store = ResultStore(path)
    except Exception as exc:  # a broken cache file must not stop grading
        warnings.warn(f"known-mistake cache {path} unusable ({exc}); running without it", RuntimeWarning, stacklevel=3)
        yield None
        return
    with store:
        yield store


@contextmanager
def assignment_runs(pool, rubric: Rubric, replay: bool = True):
    """The pool wrapped in a CachedSandbox over the known-mistakes store (or the pool itself without one).

    That store outlives output folders: the assignment's own runs (its known mistakes, its reference) are
    kept there once per version of what decides them. With `replay=False` a run is executed and kept again.
    The wrapper is not closed: closing a CachedSandbox would close the grading pool it wraps.
    """
    with known_runs() as store:
        yield pool if store is None else CachedSandbox(lambda: pool, store, getattr(pool, "jobs", 1), rubric.name,
                                                       replay=replay)
