"""Grade one submission: sandboxed run -> observations -> checks -> SubmissionResult."""
from __future__ import annotations

import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.checks.context import CheckContext
from grader.score.points import judge_submission
from grader.diagnose.match import KnownMistake, diagnose
from grader.discover.submission import Submission, printable
from grader.observations import Observations, read_observations
from grader.results.files import student_figure_dir_name
from grader.containment import Progress, from_exception
from grader.sandbox.runner import SandboxRunner
from grader.sandbox.task import SandboxOutcome, SandboxTask
from grader.sandbox.workdir import copy_submission, create_workdir, remove_workdir, write_inputs, write_task
from grader.score.advice import advice_for
from grader.score.review import contract_missing, review_item, review_note
from grader.score.notebook import notebook_extra
from grader.results.submission import RunReport, SubmissionResult
from grader.rubric import Rubric
from grader.score.run_report import describe_run
from grader import visibility

ENTRY = "grader.probe.runtime:run_in_child"
#: in the warm parent: the probe's import and the integrity guard's snapshot, which each child then inherits
BEFORE_FORK = "grader.probe.runtime:prepare_in_parent"
MAX_FIGURES = 12
MAX_FIGURE_BYTES = 2 * 1024 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class GradingSetup:
    """What every submission of one assignment is graded against (all trusted)."""

    rubric: Rubric
    reference: Observations
    #: name -> (x, y); only x is written into sandboxes
    heldout: dict[str, tuple[np.ndarray, np.ndarray]]
    hidden_paths: tuple[Path, ...] = ()
    grading_key: str = ""
    figures_dir: Path | None = None
    version: str = ""
    #: "graded with weakened isolation (...)" when --allow-weak-isolation let grading go on without a
    #: required isolation feature; written into every result
    isolation: str = ""
    #: the assignment's known mistakes as observed on the same inputs (for diagnosis; never for points)
    known_mistakes: tuple[KnownMistake, ...] = ()


@dataclass
class RunArtifacts:
    observations: Observations
    outcome: SandboxOutcome
    figures: list[Path] = field(default_factory=list)
    #: files of the hand-in that were not copied into the sandbox, and why (e.g. symbolic links)
    skipped: list[str] = field(default_factory=list)


def run_observed(pool: SandboxRunner, rubric: Rubric, main_source: Path, extra_files: tuple[Path, ...], root: Path,
                 heldout_x: dict[str, np.ndarray], hidden: tuple[Path, ...], keep_figures: Path | None,
                 progress: Progress | None = None) -> RunArtifacts:
    """Run the probe on one hand-in in a fresh sandbox and read back what it observed."""
    progress = progress or Progress()
    progress.enter("preparing the work folder for")
    workdir = create_workdir()
    try:
        submission_dir = workdir / "submission"
        skipped = copy_submission(extra_files, root, submission_dir)
        shutil.copyfile(main_source, submission_dir / rubric.main_file)
        for support in rubric.support:  # the assignment's own helper modules, next to the main file (ours win)
            shutil.copyfile(support, submission_dir / support.name)
        write_inputs(workdir, {f"{name}_x": x for name, x in heldout_x.items()})
        limits = rubric.limits
        write_task(workdir, {
            # the real location: GRADER_HOME may hold a link to it from inside a hidden folder
            "probe": str(rubric.probe.resolve()), "main_file": rubric.main_file, "seed": rubric.seed,
            "load_seconds": limits.load_seconds, "step_seconds": limits.step_seconds, "cell_seconds": limits.cell_seconds,
            "harvest": list(rubric.harvest), "api": {k: list(v) for k, v in rubric.api.items()},
            "max_figures": MAX_FIGURES,
        })
        hidden = tuple(hidden) + visibility.run_paths(rubric)
        progress.enter("running", sandboxed=True)
        outcome = pool.run(SandboxTask(workdir=workdir, entry=ENTRY, limits=limits, hidden_paths=hidden, before_fork=BEFORE_FORK))
        warn_if_degraded(outcome.degraded)
        progress.enter("reading what the run observed of")
        observations = read_observations(workdir / "observations")
        progress.enter("keeping the figures of")
        figures = _keep_figures(workdir / "figures", keep_figures) if keep_figures else []
        artifacts = RunArtifacts(observations, outcome, figures, skipped)
    except BaseException:
        remove_workdir(workdir)  # the step that failed stays the one reported
        raise
    progress.enter("cleaning up after")
    remove_workdir(workdir)
    return artifacts


_warned: set[tuple[str, ...]] = set()


def warn_if_degraded(degraded: tuple[str, ...]) -> None:
    """Tell the instructor, once, when this machine could not apply every isolation measure.

    The sandbox records missing features per run (e.g. no PID namespace when not root); without this,
    a grader started as an ordinary user would silently grade with weaker isolation.
    """
    key = tuple(sorted(degraded))
    if key and key not in _warned:
        _warned.add(key)
        warnings.warn(f"sandbox isolation is degraded on this machine ({', '.join(key)}); "
                      "see docs/security.md", RuntimeWarning, stacklevel=2)


def _keep_figures(source: Path, dest: Path) -> list[Path]:
    """Copy the PNGs the script drew, after checking they are small PNG files and nothing else."""
    kept = []
    if not source.is_dir() or source.is_symlink():
        return kept
    for path in sorted(source.glob("figure_*.png"))[:MAX_FIGURES]:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_FIGURE_BYTES:
            continue
        with open(path, "rb") as handle:
            if handle.read(8) != PNG_MAGIC:
                continue
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest / path.name)
        kept.append(dest / path.name)
    return kept


def grade_submission(pool: SandboxRunner, setup: GradingSetup, submission: Submission, seed: int,
                     progress: Progress | None = None) -> SubmissionResult:
    """The full result for one student. `progress` is told each step, for `grade_contained` and its watchdog."""
    progress = progress or Progress()
    progress.enter("reading the files of")
    rubric = setup.rubric
    # printable: a name with bytes that are not UTF-8 could not be stored or shown
    files = tuple(printable(str(p.relative_to(submission.root.parent))) for p in submission.files)
    if submission.problem or submission.main_file is None:
        return _not_gradable(setup, submission, files, seed)
    figures_dir = setup.figures_dir / student_figure_dir_name(submission.student_id) if setup.figures_dir else None
    extra = tuple(p for p in submission.files if p != submission.main_file) if submission.root.is_dir() else ()
    artifacts = run_observed(pool, rubric, submission.main_file, extra, submission.root,
                             {name: x for name, (x, _) in setup.heldout.items()}, setup.hidden_paths, figures_dir,
                             progress)
    progress.enter("describing the run of")
    run = describe_run(artifacts.outcome, artifacts.observations, rubric)
    # a record the submission tampered with is worth nothing: the checks see an empty one
    observed = Observations() if artifacts.observations.tampered else artifacts.observations
    ctx = CheckContext(observed, setup.reference, setup.heldout)
    progress.enter("judging")
    checks = judge_submission(rubric, ctx, run_problem=_run_problem(run, artifacts.observations, rubric.main_file))
    review = (review_item(observed, rubric, run.stdout_tail, [p.name for p in artifacts.figures])
              if run.status == "ok" and contract_missing(observed, rubric) else None)
    diagnoses = diagnose(rubric, observed, setup.reference, checks, setup.known_mistakes)
    progress.enter("writing advice on")
    notes = tuple(_skipped_note(artifacts.skipped) + advice_for(submission.main_file, observed, rubric)
                  + ([review_note(review)] if review else []))
    progress.enter("summing up")
    return SubmissionResult(
        student_id=submission.student_id,
        assignment=rubric.name,
        files=files,
        content_hash=submission.content_hash(),
        run=run,
        checks=tuple(checks),
        notes=tuple(_isolation_note(setup.isolation)) + notes,
        grader_version=setup.version,
        seed=seed,
        extra={"figures": [str(p.name) for p in artifacts.figures], **notebook_extra(artifacts.observations, rubric),
               **({"isolation": setup.isolation} if setup.isolation else {}),
               **({"diagnosis": [d.to_json() for d in diagnoses]} if diagnoses else {}),
               **({"needs_review": review} if review else {})},
    )


def grade_contained(pool, setup: GradingSetup, submission: Submission, seed: int,
                    progress: Progress | None = None) -> SubmissionResult:
    """`grade_submission`, with any failure of the grader's own turned into that student's grader-error row."""
    progress = progress or Progress()
    try:
        return grade_submission(pool, setup, submission, seed, progress)
    except Exception as exc:  # noqa: BLE001 - one hand-in must never stop the class
        return contained_error(setup, submission, progress.step, exc)


def contained_error(setup: GradingSetup, submission: Submission, step: str, exc: BaseException) -> SubmissionResult:
    """The grader-error row of `submission` for an exception (or a hang) in `step`."""
    return from_exception(setup.rubric, submission, setup.rubric.seed, step, exc, setup.version)


def _isolation_note(weakened: str) -> list[str]:
    """Said on every report graded without a required isolation feature."""
    if not weakened:
        return []
    return [f"This submission was {weakened}: the machine could not fully separate it from other "
            "students' work, the network or the grader's data."]


def _skipped_note(skipped: list[str]) -> list[str]:
    """Tell the student which of their files the sandbox never saw (symbolic links, huge files)."""
    if not skipped:
        return []
    return ["These files were not used for grading: " + "; ".join(printable(s) for s in skipped[:10]) + "."]


def _run_problem(run: RunReport, observations: Observations, main_file: str) -> str:
    """The short sentence shown on checks that could not be observed; the run summary has the details."""
    if observations.tampered:
        return "Not scored: your code changed the grader's records (see the summary at the top)."
    load_error = observations.items.get("load.error")
    if load_error is not None and load_error.error is not None and load_error.error.type == "SyntaxError":
        return f"Not run: {main_file} has a syntax error (see the summary at the top)."
    if run.status != "ok":
        return f"Not observed: the run stopped early ({run.status}; see the summary at the top)."
    return ""


def _not_gradable(setup: GradingSetup, submission: Submission, files: tuple[str, ...], seed: int) -> SubmissionResult:
    rubric = setup.rubric
    message = submission.problem or f"no {rubric.main_file} found"
    run = RunReport(status="ok", message=message)
    ctx = CheckContext(Observations(), setup.reference, setup.heldout)
    checks = judge_submission(rubric, ctx, run_problem=f"Not graded: {message}.")
    return SubmissionResult(submission.student_id, rubric.name, files, submission.content_hash(), run,
                            tuple(checks), grader_version=setup.version, seed=seed, problem=message)
