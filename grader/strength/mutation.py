"""Run generated mutants (and the hand-written ones) through the probe and the checks; score the rubric.

All of them are graded as one class in a folder under the grader's cache (`<cache>/selftest/<assignment>`),
with the result and run caches on: a second `selftest --generate` with nothing changed runs no sandbox, and
an edit to points or tolerances only re-judges recorded runs.
"""
from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.assignments import cache_root
from grader.diagnose.match import failed_checks
from grader.diagnose.mistakes import load_mistakes, mistake_source
from grader.mutate.generate import DEFAULT_LIMIT, GeneratedMutant, generate_mutants
from grader.results.submission import SubmissionResult
from grader.rubric import Rubric
from grader.strength.triage import Triage, load_triage

GENERATED_PREFIX = "g_"
WRITTEN_PREFIX = "h_"


@dataclass
class MutationRun:
    """What the checks did with every mutant: generated id -> failed checks, hand-written name -> failed checks."""

    rubric: Rubric
    mutants: list[GeneratedMutant]
    generated: dict[str, frozenset[str]]
    #: hand-written mutant -> (checks it is labelled to fail, checks it failed)
    written: dict[str, tuple[frozenset[str], frozenset[str]]]
    triage: Triage
    seconds: float = 0.0
    #: mutants whose run itself ended badly (timeout, crash, memory): killed, but say so
    run_status: dict[str, str] = field(default_factory=dict)

    @property
    def considered(self) -> list[GeneratedMutant]:
        """Mutants that count: all but those marked equivalent."""
        return [m for m in self.mutants if m.id not in self.triage.equivalent]

    @property
    def killed(self) -> list[str]:
        return [m.id for m in self.considered if self.generated[m.id]]

    @property
    def survivors(self) -> list[GeneratedMutant]:
        return [m for m in self.considered if not self.generated[m.id]]

    @property
    def unexcused_survivors(self) -> list[GeneratedMutant]:
        return [m for m in self.survivors if m.id not in self.triage.accepted]

    @property
    def score(self) -> float:
        return len(self.killed) / len(self.considered) if self.considered else 1.0

    def kills(self, check_id: str) -> list[str]:
        return [m.id for m in self.considered if check_id in self.generated[m.id]]

    def unique_kills(self, check_id: str) -> list[str]:
        return [m.id for m in self.considered if self.generated[m.id] == {check_id}]

    def weakened(self) -> dict[str, list[str]]:
        """check -> mutants it failed when the triage was accepted and no longer fails (among those generated now)."""
        present = {m.id for m in self.mutants}
        lost = {}
        for check, ids in sorted(self.triage.kills.items()):
            gone = [i for i in ids if i in present and check not in self.generated[i]]
            if gone:
                lost[check] = gone
        return lost

    @property
    def ok(self) -> bool:
        return not self.weakened() and not self.unexcused_survivors


def selftest_folder(rubric: Rubric) -> Path:
    return cache_root() / "selftest" / rubric.name


def run_mutants(rubric: Rubric, limit: int = DEFAULT_LIMIT, jobs: int | None = None,
                use_cache: bool = True) -> MutationRun:
    """Generate up to `limit` mutants, grade them with the hand-written ones, and collect what failed."""
    from grader.run import grade
    from grader.store.results import ResultStore

    started = time.monotonic()
    mutants = generate_mutants(rubric, limit)
    work = selftest_folder(rubric)
    folder = work / "class"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    suffix = rubric.reference.suffix
    names = {}
    for mutant in mutants:
        name = GENERATED_PREFIX + re.sub(r"[^A-Za-z0-9]+", "_", mutant.id)
        names[name] = mutant.id
        (folder / f"{name}{suffix}").write_text(mutant.source, encoding="utf-8")
    # every entry of the mutants file with a source: substitutions and stored hand-ins alike
    written = load_mistakes(rubric)
    reference_text = rubric.reference.read_text(encoding="utf-8")
    for mutant in written:
        extension = mutant.file.suffix if mutant.file is not None else suffix
        text = mistake_source(rubric, mutant, reference_text)
        (folder / f"{WRITTEN_PREFIX}{mutant.name}{extension}").write_text(text, encoding="utf-8")
    grade(folder, rubric.name, work / "out", jobs=jobs, use_cache=use_cache)
    with ResultStore(work / "out" / rubric.name / "results.sqlite") as store:
        results: dict[str, SubmissionResult] = {r.student_id: r for r in store.results(rubric.name)}
    generated = {names[s]: failed_checks(r.checks) for s, r in results.items() if s in names}
    hand = {m.name: (m.fails, failed_checks(results[WRITTEN_PREFIX + m.name].checks)) for m in written}
    status = {names.get(s, s): r.run.status for s, r in results.items() if r.run.status != "ok"}
    return MutationRun(rubric, mutants, generated, hand, load_triage(rubric), time.monotonic() - started, status)
