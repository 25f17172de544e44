"""`grade()`: the whole data flow for a folder of submissions.

discover -> (reference run, once) -> sandboxed run per submission, in parallel -> checks -> result store
-> gradebook, feedback reports, CSV exports. Results are committed one submission at a time, so an
interrupted run loses nothing it finished, and a rerun skips what is unchanged.
"""
from __future__ import annotations

import os
import sqlite3
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd

from grader.assignments import available_assignments, grading_key, load_assignment
from grader.discover import DiscoveryError, Submission, discover
from grader.errors import GradingError, IsolationRefused
from grader.discover.lms import LmsLayoutError, LmsOptions, open_bulk_download
from grader.discover.roster import ROSTER_FILE, RosterError, load_roster, match_roster, write_roster
from grader.export.csv import export_gradebook_csv, export_lms_csv
from grader.grading import GradingSetup, grade_submission
from grader.reference_run import REFERENCE_FIGURES, prepare_setup  # noqa: F401 - the workbench shows them
from grader.diagnose.known import known_runs
from grader.containment import RETRY_KEY, ContainedRunner, as_grader_error
from grader.grading import contained_error
from grader import visibility
from grader.report.incremental import write_reports
from grader.report.gradebook import GRADER_ERRORS_ATTR, build_gradebook
from grader.report.marks import export_manual_csv, import_manual_csv, marked_results
from grader.sandbox.pool import SandboxPool
from grader.sandbox.runner import SandboxRunner
from grader.results.submission import SubmissionResult
from grader.rubric import Rubric, RubricError
from grader.sandbox.workdir import sweep_workdirs
from grader.report.roster_rows import ClassList, with_lms_columns
from grader.score.late import PENALTY_SECTION, LatePolicy, LatePolicyError, Lateness, apply_late_policy, lateness, load_late_policy
from grader.store.results import ResultStore
from grader.store.runs import CachedSandbox

MANUAL_SCORES = "manual_scores.csv"


def check_isolation(allow_weak: bool) -> str:
    """Establish (once per process) what isolation this machine gives; refuse to grade without the
    required features unless `allow_weak`. Returns the weakened-isolation note for every result ("" if none)."""
    from grader.sandbox.machine import inspect_machine

    machine = inspect_machine()
    if not machine.safe and not allow_weak:
        raise IsolationRefused(machine.refusal())
    return machine.weakened()


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
        submissions = open_bulk_download(submissions)  # a class's submissions.zip
    except LmsLayoutError as exc:
        raise GradingError(str(exc)) from None
    try:
        if assignment:
            nested = submissions / assignment
            folder = nested if nested.is_dir() and not any(submissions.glob("*.py")) else submissions
            return [(load_assignment(assignment), folder)]
        named = [name for name in available_assignments() if (submissions / name).is_dir()]
        if named:
            return [(load_assignment(name), submissions / name) for name in named]
        if submissions.resolve().name in available_assignments():  # submissions/<assignment>/, as the README lays out
            return [(load_assignment(submissions.resolve().name), submissions)]
        for name in available_assignments():
            rubric = load_assignment(name)
            if (any(submissions.glob(f"*/{rubric.main_file}")) or any(submissions.glob(f"**/{rubric.main_file}"))
                    or any(submissions.glob(f"*_{rubric.main_file}"))):  # Canvas: <name>_<ids>_hw1.py
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
    allow_weak_isolation: bool = False,
    lms: LmsOptions | None = None,
) -> pd.DataFrame:
    """Grade every submission in `submissions`; returns the gradebook.

    With several assignments (one subfolder each), their gradebooks are stacked with an `assignment` column.
    `scheduler` ("tcp://host:port") sends the sandboxed runs to a Dask cluster instead of local processes.
    """
    books = grade_each(submissions, assignment, out, jobs, use_cache, public_only, on_progress, scheduler,
                       allow_weak_isolation, lms)
    if len(books) == 1:
        return next(iter(books.values()))
    return pd.concat(books, names=["assignment", None]).reset_index(level=0).reset_index(drop=True)


def grade_each(submissions: Path | str, assignment: str | None = None, out: Path | str = "grading",
               jobs: int | None = None, use_cache: bool = True, public_only: bool = False,
               on_progress: Callable[[str, int, int], None] | None = None,
               scheduler: str | None = None, allow_weak_isolation: bool = False,
               lms: LmsOptions | None = None) -> dict[str, pd.DataFrame]:
    """One gradebook per assignment found in `submissions`, written under `out/<assignment>/`.

    `lms` reads LMS downloads and matches hand-ins with a class roster (docs/lms.md)."""
    submissions, out = Path(submissions), Path(out)
    if jobs is not None and jobs < 1:
        raise GradingError(f"jobs must be at least 1, got {jobs}")
    jobs = jobs or os.cpu_count() or 1
    return {
        rubric.name: grade_assignment(rubric, folder, Outputs(out / rubric.name), jobs, use_cache, public_only, on_progress,
                                      scheduler, allow_weak_isolation, lms)
        for rubric, folder in plan(submissions, assignment)
    }


def grade_assignment(rubric: Rubric, folder: Path, outputs: Outputs, jobs: int, use_cache: bool,
                     public_only: bool, on_progress=None, scheduler: str | None = None,
                     allow_weak_isolation: bool = False, lms: LmsOptions | None = None) -> pd.DataFrame:
    lms = lms or LmsOptions()
    try:
        found = discover(folder, rubric.main_file, lms.layout, lms.attempt)
    except DiscoveryError as exc:
        raise GradingError(str(exc)) from None
    classes, late_policy = class_list(found, lms, rubric, outputs)
    try:
        outputs.root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # e.g. --out names a file, or a folder we may not write
        raise GradingError(f"cannot create the output folder {outputs.root}: {exc.strerror}") from None
    key = grading_key(rubric)
    hidden = visibility.class_paths(folder, outputs.root)
    with _open_store(outputs.store) as store:
        todo = [s for s in found if not (use_cache and _final(store.lookup(s.student_id, rubric.name, s.content_hash(), key)))]
        # Only what changed is graded; with nothing to grade, no pool starts and the reference does not run.
        # before any student code runs (the cluster's workers check for themselves)
        weakened = check_isolation(allow_weak_isolation) if todo and not scheduler else ""
        if todo and scheduler:
            from grader.distributed.dask_runner import grade_on_cluster

            grade_on_cluster(scheduler, rubric, key, todo, store, len(found), on_progress, outputs.feedback)
        elif todo:
            # CachedSandbox replays recorded runs whose sandbox input is unchanged (e.g. only points or
            # tolerances were edited) and starts the pool only for the first run it must execute.
            if not use_cache:
                store.clear_runs(rubric.name)
            # a hand-in identical to one of the assignment's known mistakes replays that mistake's run
            with known_runs() as known, CachedSandbox(
                    lambda: SandboxPool(jobs=jobs, preload=rubric.limits.preload, reads=(rubric.probe,)), store, jobs,
                    rubric.name, replay=use_cache, also_from=known) as pool:
                setup = prepare_setup(rubric, pool, key, hidden, outputs.feedback, isolation=weakened)
                _grade_all(pool, setup, todo, store, len(found), on_progress,
                           _report_early(outputs, store, public_only, {s.id: s.title for s in rubric.sections}))
        store.remove_missing(rubric.name, [s.student_id for s in found])
        # what `grader serve` needs to show hand-ins and republish the way this run did
        store.set_meta(rubric.name, "submissions", str(folder.resolve()))
        store.set_meta(rubric.name, "public_only", "1" if public_only else "0")
        results = store.results(rubric.name)
    _check_no_workdir_left()
    return publish(results, outputs, public_only, {s.id: s.title for s in rubric.sections}, classes, late_policy)


def _report_early(outputs: Outputs, store: ResultStore, public_only: bool,
                  titles: dict[str, str]) -> Callable[[SubmissionResult], None] | None:
    """Render each report as its result is stored, while other submissions are still in the sandbox.

    Rendering is the grader process's largest share of the work per submission; done at the end it ran
    alone, and `--jobs 2` could not overlap it with sandboxed runs. `publish` renders only reports whose
    content changed, so it finds these current. With TA scores to merge, `publish` renders them all.
    """
    if outputs.manual.exists():
        return None
    return lambda result: write_reports([result], outputs.feedback, store, public_only=public_only,
                                        section_titles=titles)


def _open_store(path: Path) -> ResultStore:
    """The result store under --out; one clear line when the file there is not one (or is a newer grader's)."""
    try:
        return ResultStore(path)
    except (sqlite3.DatabaseError, RuntimeError) as exc:
        raise GradingError(f"{path}: {exc}") from None


def _grade_all(pool: SandboxRunner, setup: GradingSetup, todo: list[Submission], store: ResultStore, total: int,
               on_progress, on_stored: Callable[[SubmissionResult], None] | None = None) -> None:
    done = total - len(todo)
    if on_progress:
        on_progress("", done, total)
    # every submission gets its row, whatever the grader's own code does with it (grader.containment)
    runner = ContainedRunner(lambda submission, progress: grade_submission(pool, setup, submission, setup.rubric.seed, progress),
                             lambda submission, step, exc: contained_error(setup, submission, step, exc), pool.jobs)
    try:
        for result in runner.results(todo):
            result = commit(store, result, setup.grading_key,
                            lambda step, exc, r=result: contained_error(setup, _submission_of(todo, r), step, exc))
            done += 1
            if on_progress:
                on_progress(result.student_id, done, total)
            if on_stored:
                try:
                    on_stored(result)
                except Exception:  # noqa: BLE001 - publish renders this report again and reports what fails
                    pass
    except BaseException:
        # Ctrl-C (or an error of ours): do not wait for the runs in progress to reach their time limits.
        # Closing the pool kills their sandboxes, so the threads waiting on them return at once; their
        # results are never stored (this loop is over), so a rerun grades those submissions again.
        runner.stop()
        pool.close()
        runner.close(wait=10.0)
        raise
    runner.close()


def _check_no_workdir_left() -> None:
    """Every run's work folder is removed as it ends; say so loudly if one could not be, even after a retry."""
    left = sweep_workdirs()
    if left:
        warnings.warn(f"{len(left)} work folder(s) could not be removed: " + ", ".join(str(p) for p in left[:5]),
                      RuntimeWarning, stacklevel=2)


def _submission_of(todo: list[Submission], result: SubmissionResult) -> Submission:
    return next(s for s in todo if s.student_id == result.student_id)


def commit(store: ResultStore, result: SubmissionResult, key: str,
           on_error: Callable[[str, BaseException], SubmissionResult]) -> SubmissionResult:
    """Store one result; a result that cannot be stored becomes a grader-error row (which always can).

    A grader-error row is stored under a key no real one equals, so the next run grades it again.
    """
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        store.put(result, RETRY_KEY if result.grader_error else key, stamp)
        return result
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:  # not JSON: a check's details, say
        failed = on_error("storing the result of", exc)
        store.put(failed, RETRY_KEY, stamp)
        return failed


def publish(results: list[SubmissionResult], outputs: Outputs, public_only: bool,
            section_titles: dict[str, str] | None = None, classes: ClassList | None = None,
            late_policy: LatePolicy | None = None) -> pd.DataFrame:
    """Gradebook CSV, LMS CSV and one feedback report per student, all rendered from stored results.

    `classes` (LMS identities, lateness, roster match) adds identity columns and a `missing` row per
    enrolled student without a hand-in; `late_policy` applies the rubric's [late] rule to late hand-ins.

    A report that cannot be written turns that student's row into a grader-error row (stored, so the
    next run grades it again); the others are written as usual. The gradebook's attrs name every
    grader-error row (`GRADER_ERRORS_ATTR`), for the run's summary.

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
    if classes is not None and late_policy is not None:
        results = [apply_late_policy(r, classes.lateness.get(r.student_id, Lateness(None)), late_policy) for r in results]
        if any(c.section == PENALTY_SECTION for r in results for c in r.checks):
            # only then: the section titles are part of every report's content, rendered once already
            section_titles = {**(section_titles or {}), PENALTY_SECTION: "Late hand-in"}
    # only reports whose content changed are rendered again (an unchanged class re-renders nothing)
    failures: list[tuple[SubmissionResult, Exception]] = []
    if results:
        with ResultStore(outputs.store) as store:
            write_reports(results, outputs.feedback, store, public_only=public_only, section_titles=section_titles,
                          failures=failures)
    if failures:
        results = _contain_report_failures(results, failures, outputs, public_only, section_titles)
    gradebook = build_gradebook(results)
    errors = {r.student_id: r.run.message for r in results if r.run.status == "harness_error"}
    if errors:
        # the sandbox machinery failed on these rows: the reason is on the row, not only in the report
        gradebook["grader_error"] = [errors.get(s, "") for s in gradebook["student_id"]]
    weakened = {r.student_id: r.extra.get("isolation", "") for r in results}
    if any(weakened.values()):
        # graded without a required isolation feature (--allow-weak-isolation): said on every row
        gradebook["isolation"] = [weakened.get(s, "") for s in gradebook["student_id"]]
    if classes is not None:
        gradebook = with_lms_columns(gradebook, classes, max((r.max_score for r in results), default=0.0))
    gradebook.attrs[GRADER_ERRORS_ATTR] = {
        r.student_id: r.grader_error.describe() if r.grader_error else r.run.message
        for r in results if r.grader_error or r.run.status == "harness_error"}
    export_gradebook_csv(gradebook, outputs.gradebook)
    export_lms_csv(gradebook, outputs.lms)
    return gradebook


def _contain_report_failures(results: list[SubmissionResult], failures: list[tuple[SubmissionResult, Exception]],
                             outputs: Outputs, public_only: bool, section_titles) -> list[SubmissionResult]:
    replaced = {}
    with ResultStore(outputs.store) as store:
        for result, exc in failures:
            row = as_grader_error(result, "writing the feedback report for", exc)
            store.put(row, RETRY_KEY, datetime.now(timezone.utc).isoformat(timespec="seconds"))
            replaced[result.student_id] = row
        again: list[tuple[SubmissionResult, Exception]] = []
        write_reports(list(replaced.values()), outputs.feedback, store, public_only=public_only,
                      section_titles=section_titles, failures=again)
    return [replaced.get(r.student_id, r) for r in results]


def class_list(found: list[Submission], lms: LmsOptions, rubric: Rubric, outputs: Outputs) -> tuple[ClassList, LatePolicy]:
    """Who handed in what according to the LMS and the roster, how late, and the rubric's late policy.

    The roster, when given, is kept beside the gradebook (roster.json) for `grader export`."""
    try:
        policy = load_late_policy(rubric.path)
        roster = load_roster(lms.roster, dict(lms.roster_columns)) if lms.roster else None
    except (LatePolicyError, RosterError) as exc:
        raise GradingError(str(exc)) from None
    if roster is not None:
        write_roster(roster, outputs.root / ROSTER_FILE)
    match = match_roster(found, roster) if roster is not None else None
    late = {s.student_id: lateness(s.identity, policy) for s in found}
    return ClassList.of(found, match, late), policy


def _final(stored: SubmissionResult | None) -> bool:
    """A stored result that a rerun may keep: not missing, and not a grader error (those are retried)."""
    return stored is not None and stored.run.status != "harness_error"
