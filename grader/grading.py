"""Grade one submission: sandboxed run -> observations -> checks -> SubmissionResult."""
from __future__ import annotations

import functools
import os
import shutil
import signal
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.checks.context import CheckContext
from grader.checks.runner import judge_submission
from grader.diagnose.match import KnownMistake, diagnose
from grader.discover.archive import extraction_root
from grader.discover.submission import Submission, printable
from grader.probe.channel import Observations, read_observations
from grader.report.feedback import student_figure_dir_name
from grader.sandbox.isolation import interpreter_paths
from grader.sandbox.private import private_home_paths
from grader.sandbox.task import SandboxOutcome, SandboxTask
from grader.sandbox.workdir import copy_submission, create_workdir, remove_workdir, write_inputs, write_task
from grader.score.advice import advice_for
from grader.score.notebook import notebook_extra
from grader.score.result import RunReport, SubmissionResult
from grader.score.rubric import Rubric
from grader.score.run_report import describe_run

ENTRY = "grader.probe.runtime:run_in_child"
#: files uid 0 can read without any capability (owner bits) that no submission has any business reading
SYSTEM_SECRETS = ("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/ssh", "/etc/sudoers.d")
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
    #: the assignment's known mistakes as observed on the same inputs (for diagnosis; never for points)
    known_mistakes: tuple[KnownMistake, ...] = ()


@dataclass
class RunArtifacts:
    observations: Observations
    outcome: SandboxOutcome
    figures: list[Path] = field(default_factory=list)
    #: files of the hand-in that were not copied into the sandbox, and why (e.g. symbolic links)
    skipped: list[str] = field(default_factory=list)


def run_observed(pool, rubric: Rubric, main_source: Path, extra_files: tuple[Path, ...], root: Path,
                 heldout_x: dict[str, np.ndarray], hidden: tuple[Path, ...], keep_figures: Path | None) -> RunArtifacts:
    """Run the probe on one hand-in in a fresh sandbox and read back what it observed."""
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
        hidden = tuple(hidden) + private_paths(rubric)
        outcome = pool.run(SandboxTask(workdir=workdir, entry=ENTRY, limits=limits, hidden_paths=hidden))
        warn_if_degraded(outcome.degraded)
        observations = read_observations(workdir / "observations")
        figures = _keep_figures(workdir / "figures", keep_figures) if keep_figures else []
        return RunArtifacts(observations, outcome, figures, skipped)
    finally:
        remove_workdir(workdir)


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


def grade_submission(pool, setup: GradingSetup, submission: Submission, seed: int) -> SubmissionResult:
    """The full result for one student; never raises for anything the submission does."""
    rubric = setup.rubric
    # printable: a name with bytes that are not UTF-8 could not be stored or shown
    files = tuple(printable(str(p.relative_to(submission.root.parent))) for p in submission.files)
    if submission.problem or submission.main_file is None:
        return _not_gradable(setup, submission, files, seed)
    figures_dir = setup.figures_dir / student_figure_dir_name(submission.student_id) if setup.figures_dir else None
    extra = tuple(p for p in submission.files if p != submission.main_file) if submission.root.is_dir() else ()
    artifacts = run_observed(pool, rubric, submission.main_file, extra, submission.root,
                             {name: x for name, (x, _) in setup.heldout.items()}, setup.hidden_paths, figures_dir)
    run = describe_run(artifacts.outcome, artifacts.observations, rubric)
    # a record the submission tampered with is worth nothing: the checks see an empty one
    observed = Observations() if artifacts.observations.tampered else artifacts.observations
    ctx = CheckContext(observed, setup.reference, setup.heldout)
    checks = judge_submission(rubric, ctx, run_problem=_run_problem(run, artifacts.observations, rubric.main_file))
    diagnoses = diagnose(rubric, observed, setup.reference, checks, setup.known_mistakes)
    return SubmissionResult(
        student_id=submission.student_id,
        assignment=rubric.name,
        files=files,
        content_hash=submission.content_hash(),
        run=run,
        checks=tuple(checks),
        notes=tuple(_skipped_note(artifacts.skipped) + advice_for(submission.main_file, observed, rubric)),
        grader_version=setup.version,
        seed=seed,
        extra={"figures": [str(p.name) for p in artifacts.figures], **notebook_extra(artifacts.observations, rubric),
               **({"diagnosis": [d.to_json() for d in diagnoses]} if diagnoses else {})},
    )


def _skipped_note(skipped: list[str]) -> list[str]:
    """Tell the student which of their files the sandbox never saw (symbolic links, huge files)."""
    if not skipped:
        return []
    return ["These files were not used for grading: " + "; ".join(printable(s) for s in skipped[:10]) + "."]


@functools.lru_cache(maxsize=8)
def _home_paths(probe: Path, home: str, mplconfig: str) -> tuple[Path, ...]:
    """The grading user's home folders, hidden except what the sandboxed interpreter needs (the interpreter,
    packages, grader and probe, and matplotlib's font cache and configuration, which it may read)."""
    home_path = Path(home) if home else Path.home()
    keep = [*interpreter_paths(), str(probe.resolve().parent), mplconfig,
            str(home_path / ".cache" / "matplotlib"), str(home_path / ".config" / "matplotlib")]
    return private_home_paths(keep)


def private_paths(rubric: Rubric) -> tuple[Path, ...]:
    """What every run hides besides what the caller lists: the real locations of the rubric and reference
    (GRADER_HOME may hold only links to them), the grader checkout's own assignment content, archives
    unpacked for other students, a few system secrets, and the grading user's home folders (credentials,
    histories). See docs/security.md."""
    checkout = Path(__file__).resolve().parent.parent
    candidates = [rubric.path.resolve().parent, rubric.reference.resolve().parent]
    if rubric.mutants is not None:
        candidates.append(rubric.mutants.resolve().parent)
    candidates += [checkout / name for name in ("rubrics", "reference", "submissions", "tests", ".git")]
    archives = extraction_root()
    if archives is not None:
        candidates.append(archives)
    candidates += [Path(p) for p in SYSTEM_SECRETS]
    found = [p for p in candidates if p.exists()]
    return tuple(found) + _home_paths(rubric.probe, os.environ.get("HOME", ""), os.environ.get("MPLCONFIGDIR", ""))


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


def signal_name(number: int | None) -> str:
    try:
        return signal.Signals(number).name
    except (TypeError, ValueError):
        return f"signal {number}"
