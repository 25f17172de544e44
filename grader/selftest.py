"""Rubric self-test: the reference must pass every check, and every check must be failed by some mutant.

Mutants are the assignment's known mistakes, kept beside the reference as text substitutions
(`reference/<assignment>_mutants/mutants.toml`), each labelled with the checks it must fail. A check no
mutant fails is reported as unable to fail: it cannot be trusted to catch anything.
"""
from __future__ import annotations

import json
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from grader.results.submission import SubmissionResult
from grader.rubric import Rubric


@dataclass(frozen=True)
class Mutant:
    name: str
    description: str
    replace: tuple[tuple[str, str], ...]
    fails: frozenset[str]


@dataclass
class SelftestReport:
    assignment: str
    #: mutant -> (checks it was expected to fail, checks it did fail)
    outcomes: dict[str, tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict)
    unable_to_fail: list[str] = field(default_factory=list)

    @property
    def mismatches(self) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        return {name: pair for name, pair in self.outcomes.items() if pair[0] != pair[1]}

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.unable_to_fail

    def lines(self) -> list[str]:
        out = [f"{self.assignment}: {len(self.outcomes)} mutants"]
        for name, (expected, actual) in sorted(self.outcomes.items()):
            mark = "ok  " if expected == actual else "DIFF"
            extra = "" if expected == actual else f"  expected {sorted(expected)}, got {sorted(actual)}"
            out.append(f"  {mark} {name}{extra}")
        for check in self.unable_to_fail:
            out.append(f"  check '{check}' is failed by no mutant: it is unable to fail")
        return out


def load_mutants(rubric: Rubric) -> list[Mutant]:
    if rubric.mutants is None or not rubric.mutants.is_file():
        return []
    data = tomllib.loads(rubric.mutants.read_text(encoding="utf-8"))
    return [
        Mutant(name, spec.get("description", ""), tuple((old, new) for old, new in spec["replace"]), frozenset(spec["fails"]))
        for name, spec in sorted(data.items())
    ]


def apply_mutant(source: str, mutant: Mutant) -> str:
    for old, new in mutant.replace:
        if source.count(old) != 1:
            raise ValueError(f"mutant '{mutant.name}': {old!r} must occur exactly once in the reference")
        source = source.replace(old, new)
    return source


def apply_mutant_to_notebook(text: str, mutant: Mutant) -> str:
    """The same substitutions on a notebook's code cells (each `old` once in all code cells together)."""
    notebook = json.loads(text)
    cells = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]
    for old, new in mutant.replace:
        hits = [i for i, source in enumerate(sources) if old in source]
        if sum(source.count(old) for source in sources) != 1:
            raise ValueError(f"mutant '{mutant.name}': {old!r} must occur exactly once in the reference's code cells")
        sources[hits[0]] = sources[hits[0]].replace(old, new)
    for cell, source in zip(cells, sources):
        cell["source"] = source
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def write_mutants(rubric: Rubric, folder: Path) -> list[Mutant]:
    """Materialise every mutant as `<folder>/<name><suffix>` (the reference's: .py or .ipynb), a submission like any other."""
    source = rubric.reference.read_text(encoding="utf-8")
    suffix = rubric.reference.suffix
    mutate = apply_mutant_to_notebook if suffix == ".ipynb" else apply_mutant
    mutants = load_mutants(rubric)
    folder.mkdir(parents=True, exist_ok=True)
    for mutant in mutants:
        (folder / f"{mutant.name}{suffix}").write_text(mutate(source, mutant), encoding="utf-8")
    return mutants


def failed_checks(result: SubmissionResult) -> frozenset[str]:
    return frozenset(c.check_id for c in result.checks if c.score < c.max_score and not c.is_manual)


def run_selftest(assignment: str, jobs: int | None = None) -> SelftestReport:
    from grader.assignments import load_assignment
    from grader.run import grade
    from grader.store.results import ResultStore

    rubric = load_assignment(assignment)
    work = Path(tempfile.mkdtemp(prefix="grader-selftest-"))
    try:
        mutants = write_mutants(rubric, work / "submissions")
        grade(work / "submissions", assignment, work / "out", jobs=jobs, use_cache=False)
        with ResultStore(work / "out" / rubric.name / "results.sqlite") as store:
            results = {r.student_id: r for r in store.results(rubric.name)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = SelftestReport(assignment)
    for mutant in mutants:
        report.outcomes[mutant.name] = (mutant.fails, failed_checks(results[mutant.name]))
    caught = set().union(*(actual for _, actual in report.outcomes.values())) if report.outcomes else set()
    report.unable_to_fail = [c.id for c in rubric.checks if c.id not in caught]
    return report
