"""`grader selftest ASSIGNMENT --generate`: hand-written and generated mutants, false-fail rates, the record."""
from __future__ import annotations

from pathlib import Path

from grader.mutate.generate import DEFAULT_LIMIT
from grader.strength.mutation import run_mutants
from grader.strength.record import write_record
from grader.strength.report import markdown_section, terminal_lines, update_docs, written_problems
from grader.strength.seeds import measure
from grader.strength.triage import Triage, write_triage

DEFAULT_SEEDS = 10


def run_generated_selftest(assignment: str, jobs: int | None = None, limit: int | None = None,
                           seeds: int | None = None, accept: bool = False,
                           docs: Path | None = None) -> tuple[list[str], bool]:
    """Run everything, optionally accept the result or write the docs table; (report lines, passed)."""
    from grader.assignments import load_assignment

    rubric = load_assignment(assignment)
    limit = DEFAULT_LIMIT if limit is None else limit
    run = run_mutants(rubric, limit, jobs)
    seeds = DEFAULT_SEEDS if seeds is None else seeds
    rates = measure(rubric, seeds, jobs)
    accepted_note = []
    if accept:
        triage = Triage(dict(run.triage.equivalent),
                        {**run.triage.accepted, **{m.id: "unreviewed" for m in run.unexcused_survivors}},
                        {spec.id: run.kills(spec.id) for spec in rubric.checks})
        unreviewed = len(run.unexcused_survivors)
        accepted_note.append(f"accepted: wrote {write_triage(rubric, triage)}"
                             + (f" ({unreviewed} survivors marked \"unreviewed\": give each a reason)" if unreviewed else ""))
        run.triage = triage
    lines = terminal_lines(run, rates, seeds=seeds) + accepted_note
    ok = not written_problems(run) and run.ok and all(r.ok for r in rates)
    if docs is not None:
        command = f"grader selftest {assignment} --generate --max-mutants {limit} --seeds {seeds}"
        update_docs(docs, markdown_section(run, rates, command, seeds), rubric.name)
        lines.append(f"wrote the {rubric.name} section of {docs}")
    write_record(rubric, ok, generated=True, score=run.score)
    lines.append("selftest passed" if ok else "selftest FAILED")
    return lines, ok
