"""Generate mutants of an assignment's reference: every operator site, deduplicated, sampled deterministically.

A mutant's id names the operator, the enclosing function and a digest of the change
(`sign_flip:NPLinear.forward:3f2a1c`), so ids survive edits elsewhere in the reference and can be marked
equivalent or accepted in the assignment's content (`triage.py`).
"""
from __future__ import annotations

import ast
import difflib
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from grader.mutate.operators import OPERATORS, Site, apply_site, sites
from grader.parsing import SYNTAX_TREE_LOCK
from grader.rubric import Rubric

#: default cap on generated mutants per assignment (keeps `selftest --generate` within minutes on 2 cores)
DEFAULT_LIMIT = 60


@dataclass(frozen=True)
class GeneratedMutant:
    """One generated mistake: the whole mutated hand-in and a readable diff against the reference."""

    id: str
    operator: str
    function: str
    label: str
    source: str
    diff: str


def generate_mutants(rubric: Rubric, limit: int = DEFAULT_LIMIT) -> list[GeneratedMutant]:
    """Up to `limit` distinct mutants of the rubric's reference, spread over the operators (same list every time)."""
    text = rubric.reference.read_text(encoding="utf-8")
    if rubric.reference.suffix == ".ipynb":
        candidates = _notebook_mutants(text)
    else:
        candidates = _module_mutants(text, text, lambda new: new)
    # the functions [data] tables name make held-out data on the trusted side only: no student code runs them
    trusted = {spec.function for spec in rubric.heldout}
    return sample([m for m in candidates if m.function not in trusted], limit)


def sample(candidates: list[GeneratedMutant], limit: int) -> list[GeneratedMutant]:
    """Round-robin over operators, each operator's mutants in the order of their id's digest; then sorted by id."""
    unique: dict[str, GeneratedMutant] = {}
    for mutant in candidates:
        unique.setdefault(mutant.source, mutant)
    by_operator: dict[str, list[GeneratedMutant]] = defaultdict(list)
    for mutant in unique.values():
        by_operator[mutant.operator].append(mutant)
    queues = [sorted(group, key=lambda m: _digest(m.id)) for _, group in sorted(by_operator.items())]
    chosen: list[GeneratedMutant] = []
    while len(chosen) < limit and any(queues):
        for queue in queues:
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0))
    return sorted(chosen, key=lambda m: m.id)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _module_mutants(code: str, whole: str, wrap, where: str = "") -> list[GeneratedMutant]:
    """Mutants of one piece of Python source; `wrap` turns mutated code into the whole hand-in."""
    try:
        with SYNTAX_TREE_LOCK:  # one syntax tree at a time in this process (grader.parsing)
            tree = ast.parse(code)
    except SyntaxError:
        return []
    functions = _enclosing_functions(tree)
    mutants, seen = [], defaultdict(int)
    for site in sites(tree):
        mutated = apply_site(code, site)
        try:
            compile(mutated, "<mutant>", "exec")
        except SyntaxError:
            continue
        function = functions.get(id(site.node), "")
        original = ast.get_source_segment(code, site.node) or ""
        base = f"{site.operator}:{function or 'module'}:{_digest(where + original + '->' + site.replacement)[:6]}"
        seen[base] += 1
        mutant_id = base if seen[base] == 1 else f"{base}.{seen[base]}"
        diff = "".join(difflib.unified_diff(_lines(code), _lines(mutated), "reference" + where, "mutant" + where, n=1))
        mutants.append(GeneratedMutant(mutant_id, site.operator, function, site.label, wrap(mutated), diff))
    return mutants


def _lines(text: str) -> list[str]:
    """Lines with their endings, the last one too: a notebook cell has no final newline, and without one its
    last line's "-" and "+" lines of the diff would run together."""
    return (text if text.endswith("\n") else text + "\n").splitlines(keepends=True)


def _enclosing_functions(tree: ast.Module) -> dict[int, str]:
    """id(node) -> qualified name of the innermost function or method around it."""
    names: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.", function)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, f"{prefix}{child.name}.", f"{prefix}{child.name}")
            else:
                names[id(child)] = function
                visit(child, prefix, function)

    visit(tree, "", "")
    return names


def _notebook_mutants(text: str) -> list[GeneratedMutant]:
    """Mutants of each code cell of a notebook reference (cells with IPython magics are left alone)."""
    notebook = json.loads(text)
    cells = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    mutants = []
    for index, cell in enumerate(cells):
        code = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]

        def wrap(mutated: str, cell=cell) -> str:
            original = cell["source"]
            cell["source"] = mutated
            out = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
            cell["source"] = original
            return out

        mutants.extend(_module_mutants(code, text, wrap, where=f" (code cell {index + 1})"))
    return mutants


__all__ = ["DEFAULT_LIMIT", "GeneratedMutant", "OPERATORS", "Site", "generate_mutants", "sample"]
