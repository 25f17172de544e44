"""Advice that costs no points: things a student should know about how their script was run."""
from __future__ import annotations

import ast
from pathlib import Path

from grader.observations import Observations
from grader.parsing import SYNTAX_TREE_LOCK
from grader.rubric import Rubric


#: larger sources get no advice from their syntax tree (parsing them costs more than the advice is worth)
MAX_PARSED_BYTES = 2 * 1024 * 1024


def advice_for(main_file: Path, observations: Observations, rubric: Rubric) -> list[str]:
    notes = []
    tree = _syntax_tree(main_file)
    if tree is not None and _runs_at_import(tree):
        notes.append(
            f"{rubric.main_file} trains (or runs other work) at import time. It was graded as it is, but putting "
            "that code under `if __name__ == \"__main__\":` lets others import your classes without running it."
        )
    for module in rubric.advise_against_imports:
        if tree is not None and _imports(tree, module):
            notes.append(f"Your file imports {module}; this assignment asks you to do without it.")
    harvested = observations.items.get("load.harvested")
    if harvested is not None and isinstance(harvested.value, list) and len(harvested.value) > 1:
        notes.append(f"Your script left {len(harvested.value)} trained models; the best one counted for the target loss.")
    return notes


def _syntax_tree(main_file: Path) -> ast.Module | None:
    """The hand-in's syntax tree, or None when it cannot be had (deep nesting exhausts the parser's stack:
    RecursionError or MemoryError; no source is worth an error of the grader's)."""
    try:
        with open(main_file, "rb") as handle:
            source = handle.read(MAX_PARSED_BYTES + 1)
        if len(source) > MAX_PARSED_BYTES:
            return None
        with SYNTAX_TREE_LOCK:  # one syntax tree at a time in this process (grader.parsing)
            return ast.parse(source)
    except (SyntaxError, ValueError, OSError, RecursionError, MemoryError):
        return None


def _runs_at_import(tree: ast.Module) -> bool:
    for node in tree.body:
        if isinstance(node, (ast.For, ast.While)):
            return True
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            name = getattr(node.value.func, "id", getattr(node.value.func, "attr", ""))
            if name not in ("seed", "print", "filterwarnings", "use", "set_printoptions"):
                return True
    return False


def _imports(tree: ast.Module, module: str) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == module for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == module:
            return True
    return False
