"""Rubric strength in words and tables: the terminal report of `grader selftest --generate` and the Markdown
section per assignment in docs/rubric-strength.md."""
from __future__ import annotations

import re
from pathlib import Path

from grader.strength.mutation import MutationRun
from grader.strength.seeds import FalseFailRate


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def check_rows(run: MutationRun) -> list[tuple[str, str, int, str, int]]:
    """(check, kind, mutants killed, share of all counted mutants, killed by this check alone) per check."""
    total = len(run.considered)
    rows = []
    for spec in run.rubric.checks:
        kills = run.kills(spec.id)
        rows.append((spec.id, spec.kind, len(kills), _pct(len(kills) / total) if total else "–", len(run.unique_kills(spec.id))))
    return rows


def written_problems(run: MutationRun) -> list[str]:
    """Hand-written mutants that do not fail exactly their labelled checks, named by check."""
    lines = []
    by_check: dict[str, list[str]] = {}
    for name, (expected, actual) in sorted(run.written.items()):
        if not expected:
            continue  # an entry with no `fails` label (e.g. a hand-in kept only for diagnosis)
        for check in sorted(expected - actual):
            by_check.setdefault(check, []).append(name)
        extra = actual - expected
        if extra:
            lines.append(f"hand-written mutant '{name}' also fails {sorted(extra)}, which its label does not list")
    for check, names in sorted(by_check.items()):
        lines.append(f"check '{check}' no longer fails the hand-written mutant(s) labelled with it, which now "
                     f"pass it: {', '.join(names)}")
    caught = set().union(*(actual for _, actual in run.written.values())) if run.written else set()
    for spec in run.rubric.checks:
        if spec.id not in caught and run.written:
            lines.append(f"check '{spec.id}' is failed by no hand-written mutant: it is unable to fail")
    return lines


def terminal_lines(run: MutationRun, rates: list[FalseFailRate], show_diffs: bool = True, seeds: int = 0) -> list[str]:
    out = [f"{run.rubric.name}: {len(run.mutants)} generated mutants ({len(run.mutants) - len(run.considered)} marked "
           f"equivalent), {len(run.written)} hand-written; {run.seconds:.0f} s",
           f"mutation score: {len(run.killed)}/{len(run.considered)} = {_pct(run.score)}", "",
           f"  {'check':32} {'kind':20} {'killed':>6} {'share':>6} {'alone':>6}"]
    for check, kind, killed, share, alone in check_rows(run):
        out.append(f"  {check:32} {kind:20} {killed:>6} {share:>6} {alone:>6}")
    problems = written_problems(run)
    for check, ids in run.weakened().items():
        problems.append(f"check '{check}' no longer fails {len(ids)} generated mutant(s) it failed when last accepted: "
                        + ", ".join(ids) + (" (now surviving: " + ", ".join(i for i in ids if not run.generated[i]) + ")"
                                            if any(not run.generated[i] for i in ids) else ""))
    unexcused = run.unexcused_survivors
    if problems or unexcused:
        out += ["", "PROBLEMS:"] + [f"  {p}" for p in problems]
        if unexcused:
            out.append(f"  {len(unexcused)} surviving mutant(s) are neither marked equivalent nor accepted "
                       f"(reference/{run.rubric.name}_mutants/generated.toml):")
    for mutant in run.survivors:
        mark = "equivalent" if mutant.id in run.triage.equivalent else (
            "accepted: " + run.triage.accepted[mutant.id] if mutant.id in run.triage.accepted else "SURVIVES")
        out.append(f"  {mutant.id}  [{mark}]  {mutant.label}")
        if show_diffs and not run.triage.excused(mutant.id):
            out += ["    " + line for line in mutant.diff.rstrip("\n").splitlines()]
    return out + false_fail_lines(rates, seeds)


def false_fail_lines(rates: list[FalseFailRate], seeds: int = 0) -> list[str]:
    if not rates:
        return ["", f"false fails: none; the reference passed every check with each of {seeds} other seeds"] if seeds else []
    out = ["", f"false fails of the reference over {rates[0].seeds} seeds:"]
    for rate in rates:
        stated = "not stated" if rate.stated is None else f"{rate.stated:g}"
        flag = "" if rate.ok else "  TOO HIGH"
        out.append(f"  {rate.check_id:32} {rate.failures}/{rate.seeds} (95% upper bound {rate.upper95:.2g}); "
                   f"rubric states {stated}{flag}")
    return out


def markdown_section(run: MutationRun, rates: list[FalseFailRate], command: str, seeds: int = 0) -> str:
    name = run.rubric.name
    lines = [f"<!-- selftest:{name} -->", f"## {name}", "",
             f"Produced by `{command}` ({len(run.mutants)} generated mutants, deterministic sample; "
             f"{len(run.written)} hand-written). Mutation score **{len(run.killed)}/{len(run.considered)} = "
             f"{_pct(run.score)}**" + (f" ({len(run.mutants) - len(run.considered)} marked equivalent)." if
                                      len(run.mutants) != len(run.considered) else "."), "",
             "| check | kind | generated mutants killed | share | killed by this check alone |",
             "|---|---|---:|---:|---:|"]
    lines += [f"| `{c}` | {k} | {n} | {s} | {a} |" for c, k, n, s, a in check_rows(run)]
    lines += ["", f"Surviving mutants ({len(run.survivors)}):", ""]
    if not run.survivors:
        lines.append("none.")
    for mutant in run.survivors:
        verdict = ("equivalent: " + run.triage.equivalent[mutant.id] if mutant.id in run.triage.equivalent else
                   "accepted: " + run.triage.accepted[mutant.id] if mutant.id in run.triage.accepted else "not reviewed")
        changed = [l[1:].strip() for l in mutant.diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
        lines.append(f"- `{mutant.id}` ({mutant.label}): `{' / '.join(changed)[:120]}` — {verdict}")
    if seeds and not rates:
        lines += ["", f"False fails: the reference passed every check with each of {seeds} other seeds; no check depends "
                      "on randomness."]
    if rates:
        lines += ["", f"False fails of the reference over {rates[0].seeds} seeds (checks that depend on randomness):", "",
                  "| check | kind | failed seeds | 95% upper bound | rubric states |", "|---|---|---:|---:|---:|"]
        lines += [f"| `{r.check_id}` | {r.kind} | {r.failures}/{r.seeds} | {r.upper95:.2g} | "
                  f"{'not stated' if r.stated is None else f'{r.stated:g}'} |" for r in rates]
    lines += ["", f"<!-- /selftest:{name} -->"]
    return "\n".join(lines) + "\n"


def update_docs(path: Path, section: str, name: str) -> None:
    """Replace (or append) the assignment's section between its markers, leaving the rest of the file alone."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    pattern = re.compile(rf"<!-- selftest:{re.escape(name)} -->.*?<!-- /selftest:{re.escape(name)} -->\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section
    path.write_text(text, encoding="utf-8")
