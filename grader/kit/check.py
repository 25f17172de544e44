"""`grader check hw1.py`: a student's own file through the kit's public checks.

The run is the course grader's: the same probe in the same sandbox (as much of it as this machine
allows; the result says which), the same check kinds and the same feedback report, against the
reference's recorded observations in the kit instead of a live reference run.
"""
from __future__ import annotations

import contextlib
import json
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from grader.assignments import GRADER_VERSION, load_reference
from grader.checks.kinds import KNOWN_KINDS
from grader.discover.handin import student_id_for
from grader.discover.submission import Submission
from grader.grading import GradingSetup, grade_submission
from grader.kit.build import KIT_FILE
from grader.observations import read_observations
from grader.sandbox.pool import SandboxPool
from grader.results.submission import SubmissionResult
from grader.rubric import Rubric, load_rubric

REPORT_FOLDER = "check-report"


class CheckError(Exception):
    """No kit found, or the file to check does not exist."""


@dataclass(frozen=True)
class CheckOutcome:
    """The student's result on the public checks, where it ran, and where the HTML report is."""

    result: SubmissionResult
    #: "sandbox" (every isolation measure applied) or "reduced isolation: <what is missing>"
    isolation: str
    report: Path


def find_kit(start: Path) -> Path:
    """The kit folder: `start` or one of its parents holding kit.json."""
    for folder in (start, *start.parents):
        if (folder / KIT_FILE).is_file():
            return folder
    raise CheckError(f"no self-check kit found in {start} or its parents (a kit has {KIT_FILE}); "
                     "run this from the folder your instructor's kit unpacked into, or pass --kit")


def load_kit_rubric(kit: Path) -> Rubric:
    info = json.loads((kit / KIT_FILE).read_text(encoding="utf-8"))
    return load_rubric(kit / info["rubric"], KNOWN_KINDS)


def check_file(path: Path, kit: Path | None = None, report_dir: Path | None = None) -> CheckOutcome:
    """Run the kit's public checks on the student's file; write the HTML report; return the outcome."""
    from grader.report.feedback import write_feedback

    path = Path(path).resolve()
    if not path.is_file():
        raise CheckError(f"{path} not found")
    kit = (kit or find_kit(path.parent)).resolve()
    rubric = load_kit_rubric(kit)
    reference = read_observations(kit / "expected" / "observations")
    data = load_reference(rubric)
    heldout = {spec.name: getattr(data, spec.function)(spec.seed, spec.size) for spec in rubric.heldout}
    report_dir = Path(report_dir or path.parent / REPORT_FOLDER)
    setup = GradingSetup(rubric, reference, heldout, (), "", report_dir, GRADER_VERSION)
    # the student's helper modules beside the file go along, as in a hand-in; kit folders do not
    extra = tuple(sorted(p for p in path.parent.glob("*.py") if p != path and not p.is_symlink()))
    submission = Submission(student_id_for(path.stem), path.parent, (path, *extra), path)
    with _visible(rubric.probe.resolve().parent), SandboxPool(jobs=1, preload=rubric.limits.preload, reads=(rubric.probe,)) as pool:
        watched = WatchedPool(pool)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # said plainly in the outcome instead
            result = grade_submission(watched, setup, submission, rubric.seed)
    isolation = "sandbox" if not watched.degraded else "reduced isolation: " + ", ".join(watched.degraded)
    _, html = write_feedback(result, report_dir, section_titles={s.id: s.title for s in rubric.sections})
    return CheckOutcome(result, isolation, html)


@contextlib.contextmanager
def _visible(folder: Path):
    """Keep the kit's probe folder readable in the sandbox wherever the kit is (e.g. under the private /tmp):
    the sandbox re-exposes, read-only, the folders on the grader's import path."""
    sys.path.append(str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))


class WatchedPool:
    """The pool, remembering which isolation measures the machine could not apply to the run."""

    def __init__(self, pool: SandboxPool) -> None:
        self._pool = pool
        self.jobs = pool.jobs
        self.degraded: tuple[str, ...] = ()

    def run(self, task):
        outcome = self._pool.run(task)
        self.degraded = tuple(sorted(set(self.degraded) | set(outcome.degraded)))
        return outcome
