"""`grade()`: the whole data flow for a folder of submissions.

discover -> (reference run, once) -> sandboxed run per submission, in parallel -> checks -> result store
-> gradebook, feedback reports, CSV exports. Results are committed one submission at a time, so an
interrupted run loses nothing it finished, and a rerun skips what is unchanged.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd

from grader.assignments import GRADER_VERSION, available_assignments, grader_home, grading_key, load_assignment, load_reference
from grader.checks.context import CheckContext
from grader.checks.runner import judge_submission
from grader.discover import DiscoveryError, Submission, discover
from grader.export.csv import export_gradebook_csv, export_lms_csv
from grader.grading import GradingSetup, grade_submission, run_observed
from grader.probe.runtime import precompile_probe
from grader.report.incremental import write_reports
from grader.report.gradebook import build_gradebook
from grader.report.marks import export_manual_csv, import_manual_csv, marked_results
from grader.sandbox.pool import SandboxPool
from grader.score.result import SubmissionResult
from grader.score.rubric import Rubric, RubricError
from grader.store.results import ResultStore
from grader.store.runs import CachedSandbox

MANUAL_SCORES = "manual_scores.csv"
#: the figures the reference drew, shown beside a student's by `grader serve` (not in feedback/: not for students)
REFERENCE_FIGURES = "reference_figures"


class GradingError(Exception):
    """Input the grader cannot work with (unknown assignment, empty folder, broken rubric); a clear message."""


@dataclass(frozen=True)
class Outputs:
    """Where one assignment's outputs go."""

    root: Path

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.csv"

    @property
    def lms(self) -> Path:
        return self.root / "lms_grades.csv"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    @property
    def store(self) -> Path:
        return self.root / "results.sqlite"

    @property
    def manual(self) -> Path:
        return self.root / MANUAL_SCORES


def plan(submissions: Path, assignment: str | None) -> list[tuple[Rubric, Path]]:
    """Which rubric grades which folder: subfolders named after assignments, or the folder itself."""
    try:
        if assignment:
            nested = submissions / assignment
            folder = nested if nested.is_dir() and not any(submissions.glob("*.py")) else submissions
            return [(load_assignment(assignment), folder)]
        named = [name for name in available_assignments() if (submissions / name).is_dir()]
        if named:
            return [(load_assignment(name), submissions / name) for name in named]
        for name in available_assignments():
            rubric = load_assignment(name)
            if any(submissions.glob(f"*/{rubric.main_file}")) or any(submissions.glob(f"**/{rubric.main_file}")):
                return [(rubric, submissions)]
    except RubricError as exc:
        raise GradingError(str(exc)) from None
    raise GradingError(
        f"cannot tell which assignment {submissions} holds; pass --assignment "
        f"(one of: {', '.join(available_assignments())})"
    )


def grade(
    submissions: Path | str,
    assignment: str | None = None,
    out: Path | str = "grading",
    jobs: int | None = None,
    use_cache: bool = True,
    public_only: bool = False,
    on_progress: Callable[[str, int, int], None] | None = None,
    scheduler: str | None = None,
) -> pd.DataFrame:
    """Grade every submission in `submissions`; returns the gradebook.

    With several assignments (one subfolder each), their gradebooks are stacked with an `assignment` column.
    `scheduler` ("tcp://host:port") sends the sandboxed runs to a Dask cluster instead of local processes.
    """
    books = grade_each(submissions, assignment, out, jobs, use_cache, public_only, on_progress, scheduler)
    if len(books) == 1:
        return next(iter(books.values()))
    return pd.concat(books, names=["assignment", None]).reset_index(level=0).reset_index(drop=True)


def grade_each(submissions: Path | str, assignment: str | None = None, out: Path | str = "grading",
               jobs: int | None = None, use_cache: bool = True, public_only: bool = False,
               on_progress: Callable[[str, int, int], None] | None = None,
               scheduler: str | None = None) -> dict[str, pd.DataFrame]:
    """One gradebook per assignment found in `submissions`, written under `out/<assignment>/`."""
    submissions, out = Path(submissions), Path(out)
    jobs = jobs or os.cpu_count() or 1
    return {
        rubric.name: grade_assignment(rubric, folder, Outputs(out / rubric.name), jobs, use_cache, public_only, on_progress,
                                      scheduler)
        for rubric, folder in plan(submissions, assignment)
    }


def grade_assignment(rubric: Rubric, folder: Path, outputs: Outputs, jobs: int, use_cache: bool,
                     public_only: bool, on_progress=None, scheduler: str | None = None) -> pd.DataFrame:
    try:
        found = discover(folder, rubric.main_file)
    except DiscoveryError as exc:
        raise GradingError(str(exc)) from None
    try:
        outputs.root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # e.g. --out names a file, or a folder we may not write
        raise GradingError(f"cannot create the output folder {outputs.root}: {exc.strerror}") from None
    key = grading_key(rubric)
    hidden = hidden_paths(folder, outputs.root)
    with ResultStore(outputs.store) as store:
        todo = [s for s in found if not (use_cache and store.lookup(s.student_id, rubric.name, s.content_hash(), key))]
        # Only what changed is graded; with nothing to grade, no pool starts and the reference does not run.
        if todo and scheduler:
            from grader.distributed.dask_runner import grade_on_cluster

            grade_on_cluster(scheduler, rubric, key, todo, store, len(found), on_progress, outputs.feedback)
        elif todo:
            # CachedSandbox replays recorded runs whose sandbox input is unchanged (e.g. only points or
            # tolerances were edited) and starts the pool only for the first run it must execute.
            if not use_cache:
                store.clear_runs(rubric.name)
            with CachedSandbox(lambda: SandboxPool(jobs=jobs, preload=rubric.limits.preload), store, jobs,
                               rubric.name, replay=use_cache) as pool:
                setup = prepare_setup(rubric, pool, key, hidden, outputs.feedback)
                _grade_all(pool, setup, todo, store, len(found), on_progress)
        store.remove_missing(rubric.name, [s.student_id for s in found])
        # what `grader serve` needs to show hand-ins and republish the way this run did
        store.set_meta(rubric.name, "submissions", str(folder.resolve()))
        store.set_meta(rubric.name, "public_only", "1" if public_only else "0")
        results = store.results(rubric.name)
    return publish(results, outputs, public_only, {s.id: s.title for s in rubric.sections})


def _grade_all(pool, setup: GradingSetup, todo: list[Submission], store: ResultStore, total: int, on_progress) -> None:
    done = total - len(todo)
    if on_progress:
        on_progress("", done, total)
    executor = ThreadPoolExecutor(max_workers=max(1, pool.jobs))
    try:
        futures = {executor.submit(grade_submission, pool, setup, s, setup.rubric.seed): s for s in todo}
        for future in as_completed(futures):
            result = future.result()
            store.put(result, setup.grading_key, datetime.now(timezone.utc).isoformat(timespec="seconds"))
            done += 1
            if on_progress:
                on_progress(result.student_id, done, total)
    except BaseException:
        # Ctrl-C (or an error of ours): do not wait for the runs in progress to reach their time limits.
        # Closing the pool kills their sandboxes, so the threads waiting on them return at once; their
        # results are never stored (this loop is over), so a rerun grades those submissions again.
        executor.shutdown(wait=False, cancel_futures=True)
        pool.close()
        raise
    finally:
        executor.shutdown(wait=True)


def publish(results: list[SubmissionResult], outputs: Outputs, public_only: bool,
            section_titles: dict[str, str] | None = None) -> pd.DataFrame:
    """Gradebook CSV, LMS CSV and one feedback report per student, all rendered from stored results.

    A TA's manual_scores.csv is imported into the store first; the scores and overrides in the store
    (the record, with its history) are then applied, and manual_scores.csv is written back from it.
    """
    if results:
        with ResultStore(outputs.store) as store:
            if outputs.manual.is_file():
                # a TA's hand-edited file: its mistakes are instructor input, reported in one line, not a traceback
                try:
                    import_manual_csv(store, results[0].assignment, outputs.manual)
                except (ValueError, pd.errors.ParserError) as exc:  # EmptyDataError is a ValueError
                    raise GradingError(f"{outputs.manual}: {exc}") from None
            results = marked_results(store, results[0].assignment, results)
            export_manual_csv(store, results[0].assignment, outputs.manual)
    gradebook = build_gradebook(results)
    export_gradebook_csv(gradebook, outputs.gradebook)
    export_lms_csv(gradebook, outputs.lms)
    # only reports whose content changed are rendered again (an unchanged class re-renders nothing)
    write_reports(results, outputs.feedback, outputs.store, public_only=public_only, section_titles=section_titles)
    return gradebook


def hidden_paths(submissions: Path, out: Path) -> tuple[Path, ...]:
    """What a submission's process must not read: other hand-ins, rubrics, references, tests, results."""
    home = grader_home()
    # .git holds every version of the reference; the probe code itself (probes/, grader/) is no secret.
    candidates = [submissions.resolve(), out.resolve(), home / "rubrics", home / "reference", home / "tests",
                  home / "submissions", home / ".git"]
    return tuple(sorted({p for p in candidates if p.exists()}))


def prepare_setup(rubric: Rubric, pool, key: str, hidden: tuple[Path, ...], figures: Path) -> GradingSetup:
    """Run the reference through the same probe; refuse a rubric that its own reference does not pass."""
    reference = load_reference(rubric)
    precompile_probe(rubric.probe)
    heldout = {}
    for spec in rubric.heldout:
        x, y = getattr(reference, spec.function)(spec.seed, spec.size)
        heldout[spec.name] = (x, y)
    artifacts = run_observed(pool, rubric, rubric.reference, (), rubric.reference.parent,
                             {name: x for name, (x, _) in heldout.items()}, (), figures.parent / REFERENCE_FIGURES)
    setup = GradingSetup(rubric, artifacts.observations, heldout, hidden, key, figures, GRADER_VERSION)
    ctx = CheckContext(artifacts.observations, artifacts.observations, heldout)
    failures = [r for r in judge_submission(rubric, ctx) if r.status not in ("passed", "pending")]
    if failures:
        problems = "; ".join(f"'{r.check_id}': {r.message}" for r in failures[:5])
        raise GradingError(
            f"{rubric.reference} does not pass its own rubric {rubric.path} ({len(failures)} checks): {problems}. "
            f"Run output: {artifacts.outcome.output[-500:]!r}"
        )
    return setup
