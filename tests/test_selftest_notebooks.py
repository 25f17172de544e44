"""Mutants of a notebook reference: substitutions apply to its code cells and the result is a notebook again."""
from __future__ import annotations

import json

import pytest

from grader.assignments import load_assignment
from grader.probe.notebook import read_cells
from grader.selftest import Mutant, apply_mutant_to_notebook, load_mutants, write_mutants


def test_substitutions_apply_to_code_cells_only():
    notebook = {"cells": [{"cell_type": "markdown", "source": ["return x + 1"]},
                          {"cell_type": "code", "source": ["def f(x):\n", "    return x + 1\n"]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    mutant = Mutant("plus_two", "", (("return x + 1", "return x + 2"),), frozenset())
    out = json.loads(apply_mutant_to_notebook(json.dumps(notebook), mutant))
    assert out["cells"][1]["source"] == "def f(x):\n    return x + 2\n"
    assert out["cells"][0]["source"] == ["return x + 1"]  # markdown untouched
    with pytest.raises(ValueError, match="exactly once"):
        apply_mutant_to_notebook(json.dumps(notebook), Mutant("none", "", (("nowhere", ""),), frozenset()))


@pytest.mark.parametrize("assignment", ["dl_assignment1", "torch_hw7"])
def test_every_mutant_of_the_notebook_assignments_applies(tmp_path, assignment):
    rubric = load_assignment(assignment)
    mutants = write_mutants(rubric, tmp_path)
    assert len(mutants) == len(load_mutants(rubric)) >= 15
    for mutant in mutants:
        cells = read_cells(tmp_path / f"{mutant.name}.ipynb")
        assert sum(c["type"] == "code" for c in cells) > 15
