"""Match a submission's failed checks and observed values against the known mistakes' (never source text).

For each check both failed, the cases where the known mistake deviates from what was expected (the reference,
or for self-consistency checks the student's own counterpart, e.g. finite differences) are its symptoms. The
student shows a symptom when the same case has

- the same values (normwise relative difference <= 1e-6, or a difference under 1/1000 of how far the mistake is
  from what was expected: float32 linear algebra such as a least-squares solve differs in its last digits with
  the memory alignment of its inputs, so one hand-in run twice need not repeat its own values bit for bit),
  the same error (type, and the probe's own message), or is absent in both;
- or the same relation to what was expected: the same constant factor (1/batch, 2, -1, 0), a transpose, the
  same wrong shape, NaN where a number was expected;
- or, for checks of random quantities (`init_distribution`, `within`, where every case counts), the same
  distribution (two-sample Kolmogorov-Smirnov test).

A check agrees when the student shows every symptom the mistake shows there (extra symptoms may be a second
mistake). Checks judged on the student's own trained models (`target_loss`) only compare outcomes and are no
evidence either way. Each check weighs `log(1 + N / n)` (a check few of the N known mistakes fail tells more),
and a mistake scores

    agreeing / (agreeing + checks only the mistake fails + 1/2 * checks only the student fails)

A score of at least `MIN_SHARE` is a match. The best match is reported, with every match as good as it (two
mistakes that behave the same here: both are named), then any match that explains only checks the earlier
ones do not (a second, independent mistake). A diagnosis is advice: it never changes a score.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np

from grader.checks.context import CheckContext
from grader.checks.degenerate import guard_keys, is_trivially_constant
from grader.checks.kinds import KINDS
from grader.observations import Observation, Observations
from grader.results.check import CheckResult
from grader.results.diagnosis import Diagnosis, diagnoses_in  # noqa: F401 - diagnoses_in: one import for callers
from grader.rubric import CheckSpec, Rubric
from grader.score.points import Case, resolve_cases

#: weighted share of the failed checks (the student's and the mistake's together) that must agree
MIN_SHARE = 0.5
#: two scores closer than this are "equal matches"
TIE = 1e-9
#: values this close (normwise, relative) are the same observation
VALUE_RTOL = 1e-6
#: ...and so are values whose difference is this small a share of their distance from the expected values
NOISE_SHARE_OF_DEVIATION = 1e-3
#: a two-sample KS p-value above this: the same distribution
SAME_DISTRIBUTION_P = 1e-3
MAX_REPORTED = 3
_RANDOM_KINDS = ("init_distribution", "within")
_PROBE_ERRORS = ("ProbeFailure", "MissingName")


@dataclass(frozen=True, eq=False)
class KnownMistake:
    """A known mistake as observed: what its hand-in showed the probe and which checks it failed.

    Compared by identity: what is derived from it below is worked out once per run, not once per student.
    """

    name: str
    description: str
    kind: str
    observations: Observations
    checks: tuple[CheckResult, ...]
    # (check id, id of the reference) -> (that reference, the cases that are symptoms); the reference is kept
    # so that its id cannot be reused by another while the entry lives
    _symptoms: dict = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def failed(self) -> frozenset[str]:
        return failed_checks(self.checks)

    @cached_property
    def checks_by_id(self) -> dict[str, CheckResult]:
        return {c.check_id: c for c in self.checks}

    def symptoms(self, spec: CheckSpec, cases: tuple[Case, ...], reference: Observations) -> tuple[Case, ...]:
        """The cases of `spec` where this mistake deviates from what was expected: what a student must share."""
        key = (spec.id, id(reference))
        known = self._symptoms.get(key)
        if known is None or known[0] is not reference:
            known = self._symptoms[key] = (reference, tuple(c for c in cases if self._is_symptom(spec, c, reference)))
        return known[1]

    def _is_symptom(self, spec: CheckSpec, case: Case, reference: Observations) -> bool:
        items = self.observations.items
        expected = items.get(case.against) if case.against else reference.items.get(case.key)
        return _deviates(items.get(case.key), expected) or _confirms_nothing(spec, case, self.observations)


def failed_checks(checks: tuple[CheckResult, ...] | list[CheckResult]) -> frozenset[str]:
    return frozenset(c.check_id for c in checks if c.score < c.max_score and not c.is_manual)


def diagnose(rubric: Rubric, student: Observations, reference: Observations, checks: list[CheckResult] | tuple,
             mistakes: tuple[KnownMistake, ...]) -> tuple[Diagnosis, ...]:
    """The known mistakes the student's failed checks and observations match, best first; () when none."""
    failed = failed_checks(checks)
    if not failed or not mistakes:
        return ()
    specs = {spec.id: spec for spec in rubric.checks}
    statuses = {c.check_id: c for c in checks}
    weights = check_weights(rubric, mistakes)
    cases = _CasesOf(student, reference)
    scored = []
    for mistake in mistakes:
        agreeing = _agreeing(specs, failed & mistake.failed, student, mistake, reference, statuses, cases)
        if not agreeing:
            continue
        evidence = sum(weights[c] for c in agreeing)
        # a symptom the mistake has and the student does not speaks against it; a failure the student has and
        # the mistake does not may be a second mistake, so it counts half
        against = sum(weights[c] for c in mistake.failed - failed) + 0.5 * sum(weights[c] for c in failed - mistake.failed)
        score = evidence / (evidence + against)
        if score >= MIN_SHARE:
            scored.append(Diagnosis(mistake.name, mistake.description, tuple(c.id for c in rubric.checks if c.id in agreeing), score))
    return _choose(scored)


def check_weights(rubric: Rubric, mistakes: tuple[KnownMistake, ...]) -> dict[str, float]:
    """log(1 + N / n): a check that few known mistakes fail tells more than one most of them fail."""
    return dict(_weights(tuple(spec.id for spec in rubric.checks), mistakes))


@lru_cache(maxsize=16)
def _weights(check_ids: tuple[str, ...], mistakes: tuple[KnownMistake, ...]) -> tuple[tuple[str, float], ...]:
    total = max(len(mistakes), 1)
    return tuple((c, math.log(1 + total / max(1, sum(c in m.failed for m in mistakes)))) for c in check_ids)


class _CasesOf:
    """A check's cases, resolved once per diagnosis instead of once per known mistake."""

    def __init__(self, student: Observations, reference: Observations) -> None:
        self._context = CheckContext(student, reference)
        self._cases: dict[str, tuple[Case, ...]] = {}

    def __call__(self, spec: CheckSpec) -> tuple[Case, ...]:
        if spec.id not in self._cases:
            self._cases[spec.id] = tuple(resolve_cases(spec, self._context))
        return self._cases[spec.id]


def _choose(scored: list[Diagnosis]) -> tuple[Diagnosis, ...]:
    """The best match and every equal one, then matches that explain only checks no earlier one explains."""
    ranked = sorted(scored, key=lambda d: (-d.score, d.mistake))
    if not ranked:
        return ()
    chosen = [d for d in ranked if ranked[0].score - d.score <= TIE]
    covered = set().union(*(d.checks for d in chosen))
    for candidate in ranked[len(chosen):]:
        if len(chosen) >= MAX_REPORTED:
            break
        if not covered & set(candidate.checks):
            chosen.append(candidate)
            covered |= set(candidate.checks)
    return tuple(chosen[:MAX_REPORTED])


def _agreeing(specs: dict[str, CheckSpec], common: frozenset[str], student: Observations, mistake: KnownMistake,
              reference: Observations, statuses: dict[str, CheckResult], cases: _CasesOf) -> set[str]:
    """The checks both failed where the student shows every symptom the mistake shows (more than an outcome)."""
    agreeing = set()
    for check_id in common:
        spec = specs.get(check_id)
        if spec is None:
            continue
        mine, theirs = statuses.get(check_id), mistake.checks_by_id.get(check_id)
        if mine is not None and theirs is not None and mine.status == theirs.status == "skipped":
            if mine.message == theirs.message:  # the same missing class or method
                agreeing.add(check_id)
            continue
        # checks judged on the student's own trained models can only compare outcomes: no evidence either way
        if KINDS[spec.kind].keys_from == "reference" and _shows_symptoms(spec, cases(spec), student, mistake, reference):
            agreeing.add(check_id)
    return agreeing


def _shows_symptoms(spec: CheckSpec, cases: tuple[Case, ...], student: Observations, mistake: KnownMistake,
                    reference: Observations) -> bool:
    """Every case where the mistake deviates from what was expected, the student deviates the same way.

    For random quantities every case counts: a distribution can differ while each draw is plausible."""
    random = spec.kind in _RANDOM_KINDS
    symptoms = cases if random else mistake.symptoms(spec, cases, reference)
    theirs_items = mistake.observations.items
    for case in symptoms:
        mine, theirs = student.items.get(case.key), theirs_items.get(case.key)
        if case.against:
            expected_mine, expected_theirs = student.items.get(case.against), theirs_items.get(case.against)
        else:
            expected_mine = expected_theirs = reference.items.get(case.key)
        if not observations_agree(mine, theirs, expected_mine, expected_theirs, random):
            return False
    return bool(symptoms)


def _confirms_nothing(spec: CheckSpec, case, observations: Observations) -> bool:
    """The case failed because a quantity it compares is trivially constant (`grader.checks.degenerate`): a
    forward that ignores its parameters agrees with its own all-zero finite differences, and that is the symptom."""
    for key in guard_keys(spec, case.key, case.against):
        observation = observations.items.get(key)
        if observation is not None and observation.array is not None and is_trivially_constant(observation.array):
            return True
    return False


def _deviates(observation: Observation | None, expected: Observation | None) -> bool:
    if observation is None or observation.error is not None or observation.array is None:
        return True
    return relation_to_expected(observation.array, expected) != "equal"


def observations_agree(mine: Observation | None, theirs: Observation | None, expected_mine: Observation | None,
                       expected_theirs: Observation | None, random: bool = False) -> bool:
    """Whether two observations of one case show the same behaviour (see the module docstring)."""
    if mine is None or theirs is None:
        return mine is None and theirs is None
    if mine.error is not None or theirs.error is not None:
        if mine.error is None or theirs.error is None or mine.error.type != theirs.error.type:
            return False
        # the probe's own failures are worded by the probe on the same inputs: their messages must agree too
        return mine.error.type not in _PROBE_ERRORS or mine.error.message == theirs.error.message
    a, b = mine.array, theirs.array
    if a is None or b is None:
        return a is None and b is None and mine.value == theirs.value
    if same_values(a, b) or same_up_to_rounding(a, b, expected_theirs):
        return True
    if random and a.size >= 5 and b.size >= 5 and np.all(np.isfinite(a)) and np.all(np.isfinite(b)):
        from scipy.stats import ks_2samp

        return bool(ks_2samp(a.ravel(), b.ravel()).pvalue > SAME_DISTRIBUTION_P)
    relation = relation_to_expected(a, expected_mine)
    return relation not in ("", "other") and relation == relation_to_expected(b, expected_theirs)


def same_values(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.size == 0:
        return True
    finite_a, finite_b = np.isfinite(a), np.isfinite(b)
    if not np.array_equal(finite_a, finite_b):
        return False
    if not finite_a.any():
        return True
    scale = max(float(np.max(np.abs(b[finite_b]))), 1e-12)
    return float(np.max(np.abs(a[finite_a] - b[finite_b]))) / scale <= VALUE_RTOL


def same_up_to_rounding(a: np.ndarray, b: np.ndarray, expected: Observation | None) -> bool:
    """`a` and `b` differ by far less than `b` differs from what was expected: one deviation, seen twice."""
    if expected is None or expected.array is None or a.shape != b.shape or np.shape(expected.array) != b.shape:
        return False
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    e = np.asarray(expected.array, dtype=np.float64)
    if a.size == 0 or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b)) and np.all(np.isfinite(e))):
        return False
    deviation = float(np.max(np.abs(b - e)))
    return deviation > 0 and float(np.max(np.abs(a - b))) <= NOISE_SHARE_OF_DEVIATION * deviation


def relation_to_expected(observed: np.ndarray, expected: Observation | None) -> str:
    """How `observed` differs from what was expected: "equal", "transposed", "scale 0.2", "zero", "nonfinite",
    "shape (4, 3) for (3, 4)", "other"; "" when there is nothing to relate to."""
    if expected is None or expected.array is None:
        return ""
    o = np.asarray(observed, dtype=np.float64)
    e = np.asarray(expected.array, dtype=np.float64)
    if not np.all(np.isfinite(o)):
        return "nonfinite"
    if o.shape != e.shape:
        if o.size == e.size == 1:
            o = o.reshape(e.shape)
        elif o.ndim == 2 and o.shape == e.shape[::-1] and same_values(o.T, e):
            return "transposed"
        else:
            return f"shape {o.shape} for {e.shape}"
    if not np.all(np.isfinite(e)):
        return "other"
    if same_values(o, e):
        return "equal"
    if not np.any(o):
        return "zero"
    norm = float(np.vdot(e, e))
    if norm > 0 and o.size >= 2:
        factor = float(np.vdot(o, e)) / norm
        residual = float(np.max(np.abs(o - factor * e))) / max(float(np.max(np.abs(e))), 1e-12)
        if residual <= VALUE_RTOL:
            return f"scale {factor:.4g}"
    return "other"
