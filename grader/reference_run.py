"""The reference's run: through the same probe and sandbox as every submission.

Its observations are what submissions are compared with; a rubric its own reference does not pass is
refused before any submission is graded. The run is kept with the known mistakes' runs, outside the output
folder (`grader.diagnose.known.assignment_runs`): a reference that trains for seconds does so once per
version of the assignment and the grader, not once per output folder. A pool that does not replay runs
(`--no-cache`, or a plain pool) runs it again.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from grader.assignments import GRADER_VERSION, load_reference
from grader.checks.context import CheckContext
from grader.diagnose.known import assignment_runs, observe_known_mistakes
from grader.errors import GradingError
from grader.grading import GradingSetup, run_observed
from grader.probe.runtime import precompile_probe
from grader.rubric import Rubric
from grader.sandbox.runner import SandboxRunner
from grader.score.points import judge_submission

#: the reference's own figures from the grading run, beside the gradebook (shown next to a student's)
REFERENCE_FIGURES = "reference_figures"


def prepare_setup(rubric: Rubric, pool: SandboxRunner, key: str, hidden: tuple[Path, ...], figures: Path,
                  isolation: str = "") -> GradingSetup:
    """Run the reference through the same probe; refuse a rubric that its own reference does not pass."""
    reference = load_reference(rubric)
    precompile_probe(rubric.probe)
    heldout = {}
    for spec in rubric.heldout:
        x, y = getattr(reference, spec.function)(spec.seed, spec.size)
        heldout[spec.name] = (x, y)
    with assignment_runs(pool, rubric, replay=getattr(pool, "replay", False)) as runner:
        artifacts = run_observed(runner, rubric, rubric.reference, (), rubric.reference.parent,
                                 {name: x for name, (x, _) in heldout.items()}, (), figures.parent / REFERENCE_FIGURES)
    setup = GradingSetup(rubric, artifacts.observations, heldout, hidden, key, figures, GRADER_VERSION, isolation)
    ctx = CheckContext(artifacts.observations, artifacts.observations, heldout)
    failures = [r for r in judge_submission(rubric, ctx) if r.status not in ("passed", "pending")]
    if failures:
        outcome = artifacts.outcome
        if outcome.harness_error:
            # the sandbox failed, not the reference: say so first, with the machinery's own words
            raise GradingError(
                f"grader error: the sandbox could not run the reference {rubric.reference}: {outcome.harness_error}. "
                f"Run output: {outcome.output[-500:]!r}. Run `grader doctor` to check this machine's sandbox."
            )
        problems = "; ".join(f"'{r.check_id}': {r.message}" for r in failures[:5])
        raise GradingError(
            f"{rubric.reference} does not pass its own rubric {rubric.path} ({len(failures)} checks): {problems}. "
            f"Run output: {artifacts.outcome.output[-500:]!r}"
        )
    known = observe_known_mistakes(pool, rubric, artifacts.observations, heldout, hidden, run_observed)
    return replace(setup, known_mistakes=known)
