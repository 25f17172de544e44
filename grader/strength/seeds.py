"""False-fail rates of checks that depend on randomness, measured on the reference over K seeds.

A correct submission differs from the reference in how it draws random numbers, which is what another seed
models: the reference runs with the rubric's seed replaced by K others, and each run is judged against itself,
exactly as `grader run` judges the reference before grading. A check that fails such a run would fail a
correct student. Checks of kinds that are random by design (`init_distribution`, `target_loss`) are always
listed; any other check is listed when it failed at least once. Runs are cached like any sandboxed run.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from scipy.stats import beta

from grader.checks.context import CheckContext
from grader.score.points import judge_submission
from grader.rubric import Rubric

RANDOM_KINDS = ("init_distribution", "target_loss")
#: seeds are the rubric's seed plus these offsets: far from it, and the same every time
SEED_OFFSET = 7919


@dataclass(frozen=True)
class FalseFailRate:
    check_id: str
    kind: str
    failures: int
    seeds: int
    #: the false-fail probability the rubric states (e.g. alpha of a KS test), or None when it states none
    stated: float | None

    @property
    def rate(self) -> float:
        return self.failures / self.seeds if self.seeds else 0.0

    @property
    def upper95(self) -> float:
        """One-sided 95 % Clopper-Pearson upper bound of the rate."""
        if self.failures >= self.seeds:
            return 1.0
        return float(beta.ppf(0.95, self.failures + 1, self.seeds - self.failures))

    @property
    def ok(self) -> bool:
        return self.failures == 0 or (self.stated is not None and self.rate <= self.stated)


def stated_bound(spec) -> float | None:
    """What the rubric promises about false fails of one check (alpha of a distribution test), if anything."""
    for key in ("alpha", "false_fail"):
        if key in spec.params:
            return float(spec.params[key])
    return None


def false_fail_rates(rubric: Rubric, seeds: int, pool, heldout: dict, run_observed) -> list[FalseFailRate]:
    """Run the reference with `seeds` other seeds through `pool` and count, per check, the seeds it fails."""
    if seeds <= 0:
        return []
    heldout_x = {name: x for name, (x, _) in heldout.items()}

    def judge(seed: int) -> set[str]:
        variant = replace(rubric, seed=seed)
        artifacts = run_observed(pool, variant, variant.reference, (), variant.reference.parent, heldout_x, (), None)
        ctx = CheckContext(artifacts.observations, artifacts.observations, heldout)
        return {r.check_id for r in judge_submission(variant, ctx) if r.status not in ("passed", "pending")}

    with ThreadPoolExecutor(max_workers=max(1, getattr(pool, "jobs", 1))) as executor:
        failures = list(executor.map(judge, [rubric.seed + SEED_OFFSET * (k + 1) for k in range(seeds)]))
    rates = []
    for spec in rubric.checks:
        count = sum(spec.id in failed for failed in failures)
        if spec.kind in RANDOM_KINDS or count:
            rates.append(FalseFailRate(spec.id, spec.kind, count, seeds, stated_bound(spec)))
    return rates


def measure(rubric: Rubric, seeds: int, jobs: int | None = None) -> list[FalseFailRate]:
    """`false_fail_rates` with its own pool, replaying recorded runs from the selftest store."""
    from grader.assignments import load_reference
    from grader.grading import run_observed
    from grader.sandbox.pool import SandboxPool
    from grader.store.results import ResultStore
    from grader.store.runs import CachedSandbox
    from grader.strength.mutation import selftest_folder

    reference = load_reference(rubric)
    heldout = {spec.name: getattr(reference, spec.function)(spec.seed, spec.size) for spec in rubric.heldout}
    store_path = selftest_folder(rubric) / "seeds.sqlite"
    jobs = jobs or 2
    with ResultStore(store_path) as store, CachedSandbox(
            lambda: SandboxPool(jobs=jobs, preload=rubric.limits.preload, reads=(rubric.probe,)), store, jobs, rubric.name) as pool:
        return false_fail_rates(rubric, seeds, pool, heldout, run_observed)
