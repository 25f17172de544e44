"""The assignment's known mistakes as written in its mutants file, and how to turn each into a hand-in.

`reference/<assignment>_mutants/mutants.toml` holds one table per known mistake. Every table may have:

- `description`: the mistake in the assignment's words ("b_grad is the batch mean, not the sum"); students
  see it when their observations match;
- `fails`: the rubric checks it must lose points on (used by `grader selftest`);
- exactly one source:
  - `replace = [[old, new], ...]`: text substitutions on the reference, each `old` occurring exactly once
    (a mutant), or
  - `file = "name.py"`: a complete hand-in stored next to mutants.toml (a degenerate or shortcut submission),
    or `source = '''...'''`: the same, inline;
- `kind`: a free label ("mutant" when it has `replace`, else "hand-in" unless given: "degenerate", "shortcut");
- `diagnose = false`: keep it out of students' reports (e.g. a mistake whose symptoms are not specific).

Tables with none of the three sources are ignored here, so new fields or entry types never break loading.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from grader.rubric import Rubric


@dataclass(frozen=True)
class MistakeSpec:
    """One known mistake as the assignment's content declares it."""

    name: str
    description: str
    kind: str
    fails: frozenset[str]
    replace: tuple[tuple[str, str], ...] = ()
    #: a complete hand-in (file next to mutants.toml, or inline source)
    file: Path | None = None
    source: str = ""
    diagnose: bool = True


def load_mistakes(rubric: Rubric) -> list[MistakeSpec]:
    """Every entry of the rubric's mutants file that names a source, sorted by name."""
    if rubric.mutants is None or not rubric.mutants.is_file():
        return []
    data = tomllib.loads(rubric.mutants.read_text(encoding="utf-8"))
    folder = rubric.mutants.parent
    mistakes = []
    for name, spec in sorted(data.items()):
        if not isinstance(spec, dict):
            continue
        replace = tuple((str(old), str(new)) for old, new in spec.get("replace", ()))
        file = folder / spec["file"] if isinstance(spec.get("file"), str) else None
        source = spec.get("source", "") if isinstance(spec.get("source"), str) else ""
        if not (replace or file or source):
            continue
        kind = str(spec.get("kind", "mutant" if replace else "hand-in"))
        mistakes.append(MistakeSpec(name, str(spec.get("description", "")), kind, frozenset(spec.get("fails", ())),
                                    replace, file, source, bool(spec.get("diagnose", True))))
    return mistakes


def mistake_source(rubric: Rubric, mistake: MistakeSpec, reference_text: str | None = None) -> str:
    """The hand-in text of one mistake: the mutated reference, or the stored hand-in."""
    if mistake.file is not None:
        return mistake.file.read_text(encoding="utf-8")
    if mistake.source:
        return mistake.source
    text = reference_text if reference_text is not None else rubric.reference.read_text(encoding="utf-8")
    if rubric.reference.suffix == ".ipynb":
        return substitute_in_notebook(text, mistake.name, mistake.replace)
    return substitute(text, mistake.name, mistake.replace)


def substitute(source: str, name: str, replace: tuple[tuple[str, str], ...]) -> str:
    for old, new in replace:
        if source.count(old) != 1:
            raise ValueError(f"mutant '{name}': {old!r} must occur exactly once in the reference")
        source = source.replace(old, new)
    return source


def substitute_in_notebook(text: str, name: str, replace: tuple[tuple[str, str], ...]) -> str:
    """The same substitutions on a notebook's code cells (each `old` once in all code cells together)."""
    notebook = json.loads(text)
    cells = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]
    for old, new in replace:
        if sum(s.count(old) for s in sources) != 1:
            raise ValueError(f"mutant '{name}': {old!r} must occur exactly once in the reference's code cells")
        hit = next(i for i, s in enumerate(sources) if old in s)
        sources[hit] = sources[hit].replace(old, new)
    for cell, source in zip(cells, sources):
        cell["source"] = source
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
