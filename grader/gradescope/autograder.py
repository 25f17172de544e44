"""The entry point Gradescope runs for every hand-in: grade `<root>/submission`, write `<root>/results/results.json`.

Layout and output format follow Gradescope's autograder specification (docs/lms.md): the student's files
are in `/autograder/submission`, the bundle is unpacked in `/autograder/source`, and `results.json` holds
`score`, `output` and one entry per automatic check in `tests` (`name`, `score`, `max_score`,
`visibility`, `output`). The root is configurable (`--root`, `AUTOGRADER_ROOT`) so the same code runs
against a folder laid out like `/autograder` in tests.

Grading is the course grader's own: the same sandbox, probe, checks and messages as `grader run`. Items a
TA scores by hand are not tests here; Gradescope grades them in its own manual questions.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from grader.results.check import CheckResult
from grader.results.submission import SubmissionResult

#: Gradescope visibilities: a hidden check's result is shown once grades are published
VISIBILITY = {"public": "visible", "hidden": "after_published"}


@dataclass(frozen=True)
class AutograderPaths:
    root: Path

    @property
    def submission(self) -> Path:
        return self.root / "submission"

    @property
    def results(self) -> Path:
        return self.root / "results" / "results.json"


def grade_submission_folder(paths: AutograderPaths, assignment: str) -> tuple[SubmissionResult, str]:
    """The student's result and a sentence on the isolation the container allowed."""
    import tempfile

    from grader.assignments import grading_key, load_assignment
    from grader.discover.handin import from_folder
    from grader.grading import grade_submission
    from grader.kit.check import WatchedPool
    from grader.reference_run import prepare_setup
    from grader.sandbox.pool import SandboxPool

    rubric = load_assignment(assignment)
    submission = from_folder(paths.submission, rubric.main_file)
    with tempfile.TemporaryDirectory(prefix="grader-gradescope-") as figures, \
            SandboxPool(jobs=1, preload=rubric.limits.preload, reads=(rubric.probe,)) as pool:
        watched = WatchedPool(pool)
        # the rubric and reference are hidden by every run (grading.private_paths); the probe must stay visible
        hidden = tuple(p for p in (paths.results.parent, paths.root / "submission_metadata.json") if p.exists())
        setup = prepare_setup(rubric, watched, grading_key(rubric), hidden, Path(figures))
        result = grade_submission(watched, setup, submission, rubric.seed)
    isolation = ("Graded in the course grader's sandbox." if not watched.degraded else
                 f"Graded in the course grader's sandbox with reduced isolation ({', '.join(watched.degraded)}).")
    return result, isolation


def results_json(result: SubmissionResult, isolation: str = "") -> dict:
    """Gradescope's results.json for one graded hand-in (automatic checks only)."""
    tests = [_test(check) for check in result.checks if not check.is_manual]
    lines = [result.problem or result.run.message, *result.notes, isolation]
    return {
        "score": round(sum(t["score"] for t in tests), 4),
        "output": "\n\n".join(line for line in lines if line),
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _test(check: CheckResult) -> dict:
    parts = [check.message]
    if check.status != "passed":
        parts += [f"Expected: {check.expected}" if check.expected else "",
                  f"Observed: {check.observed}" if check.observed else "", f"Hint: {check.hint}" if check.hint else ""]
    return {"name": check.title, "score": round(check.score, 4), "max_score": check.max_score,
            "visibility": VISIBILITY.get(check.visibility, "visible"), "output": "\n".join(p for p in parts if p),
            "status": "passed" if check.status == "passed" else "failed"}


def harness_failure(error: BaseException) -> dict:
    """What the student sees when the grader itself failed: not a zero for their work, a request to tell staff."""
    return {"score": 0.0, "stdout_visibility": "hidden", "tests": [],
            "output": ("The autograder itself failed on this hand-in (not your fault); please tell the course staff. "
                       f"({type(error).__name__}: {error})")}


def write_results(paths: AutograderPaths, data: dict) -> None:
    paths.results.parent.mkdir(parents=True, exist_ok=True)
    tmp = paths.results.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, paths.results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="grader-gradescope", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")))
    parser.add_argument("--assignment", required=True)
    args = parser.parse_args(argv)
    paths = AutograderPaths(args.root)
    try:
        result, isolation = grade_submission_folder(paths, args.assignment)
        data = results_json(result, isolation)
    except Exception as error:  # the student must get a results.json, whatever went wrong on our side
        traceback.print_exc()
        data = harness_failure(error)
    write_results(paths, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
