"""Judge one submission: every rubric check against the observations its sandboxed run produced.

A check whose class is missing is skipped (it costs only its own points); a case whose probe raised is an
error naming the call and the exception; a case never observed because the run died says so.
"""
from __future__ import annotations

from dataclasses import dataclass

from grader.checks.context import CheckContext, call_of
from grader.checks.degenerate import degenerate_verdict
from grader.checks.judgement import Judgement
from grader.checks.kinds import KINDS
from grader.results.check import CheckResult, Status
from grader.observations import Observation
from grader.rubric import CheckSpec, Rubric


@dataclass(frozen=True)
class Case:
    key: str
    against: str | None = None


def resolve_cases(spec: CheckSpec, ctx: CheckContext) -> list[Case]:
    """The observation keys a check covers: the reference's keys (or the student's, for trained models)."""
    source = ctx.reference if KINDS[spec.kind].keys_from == "reference" else ctx.student
    cases = []
    for index, pattern in enumerate(spec.observe):
        against = spec.against[index] if spec.against else None
        for key in source.matching(pattern):
            cases.append(Case(key, _counterpart(pattern, against, key) if against else None))
    return cases


def _counterpart(pattern: str, against: str, key: str) -> str:
    if pattern.endswith("[*]") and against.endswith("[*]"):
        return against[:-3] + key[len(pattern) - 3:]
    return against


def missing_requirement(spec: CheckSpec, ctx: CheckContext, main_file: str, run_problem: str = "") -> str:
    """Why a required class or method is unavailable, or "" when all are there."""
    for name in spec.requires:
        class_name, _, method = name.partition(".")
        api = ctx.student.items.get(f"api.{class_name}")
        if api is None or not isinstance(api.value, dict):
            continue  # the run never got that far; the cases will say why
        if not api.value.get("defined"):
            return run_problem or f"{class_name} is not defined in {main_file}, so this check could not run."
        if method and api.value.get("methods", {}).get(method) is None:
            return f"{class_name} has no method {method}(), so this check could not run."
    return ""


def judge_check(spec: CheckSpec, ctx: CheckContext, main_file: str, run_problem: str) -> CheckResult:
    """One CheckResult for one rubric check."""
    missing = missing_requirement(spec, ctx, main_file, run_problem)
    if missing and not _found_by_value(spec, ctx):
        return _result(spec, "skipped", 0.0, Judgement(0.0, message=missing, observed="not defined"))
    cases = resolve_cases(spec, ctx)
    unavailable = [(case, _unavailable(case, ctx, run_problem)) for case in cases]
    unavailable = [(case, why) for case, why in unavailable if why is not None]
    kind = KINDS[spec.kind]
    if not cases:
        why = _whole_check_unavailable(spec, ctx, run_problem)
        return _result(spec, why[0], 0.0, Judgement(0.0, message=why[1], observed="not observed"))
    if kind.judge_pooled is not None:
        missing = {case.key for case, _ in unavailable}
        usable = [c.key for c in cases if c.key not in missing]
        # cases from the student's side (e.g. each trained model left) are alternatives: the best one counts,
        # so one that raised or was too large to keep costs nothing while another can be judged
        if unavailable and (not usable or kind.keys_from != "student"):
            status, message, _ = unavailable[0][1]
            return _result(spec, status, 0.0, Judgement(0.0, message=message, observed="not observed"))
        judgement = kind.judge_pooled(spec, ctx, usable)
        return _result(spec, "passed" if judgement.fraction >= 1 else "failed", judgement.fraction, judgement)
    return _judge_per_case(spec, ctx, cases, dict((c.key, why) for c, why in unavailable))


def _found_by_value(spec: CheckSpec, ctx: CheckContext) -> bool:
    """Every case was observed without the required name, from a value the probe found among the globals."""
    cases = resolve_cases(spec, ctx)
    observations = [ctx.student.items.get(case.key) for case in cases]
    return bool(cases) and all(o is not None and o.error is None and o.meta.get("found_by_value") for o in observations)


def _judge_per_case(spec: CheckSpec, ctx: CheckContext, cases: list[Case], unavailable: dict) -> CheckResult:
    kind = KINDS[spec.kind]
    verdicts, failures = 0, []
    for case in cases:
        if case.key in unavailable:
            failures.append(unavailable[case.key])
            continue
        verdict = degenerate_verdict(spec, ctx, case.key, case.against) or kind.judge_case(spec, ctx, case.key, case.against)
        if verdict.ok:
            verdicts += 1
        else:
            failures.append(("failed", verdict.message, verdict.observed))
    if not failures:
        return _result(spec, "passed", 1.0, Judgement(1.0))
    fraction = verdicts / len(cases) if spec.scoring == "proportional" else 0.0
    status = failures[0][0]
    message = failures[0][1]
    if len(cases) > 1:
        message += f" ({len(failures)} of {len(cases)} cases failed.)"
    observed = failures[0][2] if len(failures[0]) > 2 else "not observed"
    return _result(spec, status, fraction, Judgement(fraction, message=message, observed=observed))


def _unavailable(case: Case, ctx: CheckContext, run_problem: str) -> tuple[Status, str, str] | None:
    for key in filter(None, (case.key, case.against)):
        observation = ctx.student.items.get(key)
        if observation is None:
            return "error", _never_observed(ctx, run_problem), "not observed"
        if observation.error is not None:
            return _error_status(observation)
    return None


def _error_status(observation: Observation) -> tuple[Status, str, str]:
    error = observation.error
    if error.timeout:
        return "timeout", error.message, "time limit exceeded"
    if error.type in ("ProbeFailure", "MissingName"):
        message = f"{observation.meta['call']}: {error.message}" if "call" in observation.meta else error.message
        return "error", message, error.message
    return "error", f"{call_of(observation)} raised {error.describe()}", f"{error.type}: {error.message}"[:200]


def _never_observed(ctx: CheckContext, run_problem: str) -> str:
    step = ctx.student.unfinished_step
    if run_problem:
        return run_problem
    if step:
        return f"The run ended during the probe step '{step}' before this could be observed."
    return "This was not observed (the run ended early)."


def _whole_check_unavailable(spec: CheckSpec, ctx: CheckContext, run_problem: str) -> tuple[Status, str]:
    prefix = spec.observe[0].split("[")[0]
    for key, observation in sorted(ctx.student.items.items()):
        if key.startswith(prefix) and observation.error is not None:
            status, message, _ = _error_status(observation)
            return status, message
    for key, observation in sorted(ctx.student.items.items()):
        if key.startswith("step.") and observation.error is not None:
            status, message, _ = _error_status(observation)
            return status, f"The probe step '{key[5:]}' stopped: {message}"
    return "error", _never_observed(ctx, run_problem)


def _result(spec: CheckSpec, status: Status, fraction: float, judgement: Judgement) -> CheckResult:
    passed = status == "passed"
    return CheckResult(
        check_id=spec.id,
        title=spec.title,
        section=spec.section,
        status=status,
        score=round(spec.points * fraction, 6),
        max_score=spec.points,
        visibility=spec.visibility,  # type: ignore[arg-type]
        message="" if passed else judgement.message,
        expected=spec.expected,
        observed=judgement.observed,
        hint="" if passed else spec.hint,
        details=judgement.details,
        figures=judgement.figures,
    )


def judge_submission(rubric: Rubric, ctx: CheckContext, run_problem: str = "") -> list[CheckResult]:
    """Every automatic check, then every manual item as pending."""
    results = [judge_check(spec, ctx, rubric.main_file, run_problem) for spec in rubric.checks]
    for item in rubric.manual:
        results.append(CheckResult(item.id, item.title, item.section, "pending", 0.0, item.points,
                                   message="To be graded by a TA."))
    return results
