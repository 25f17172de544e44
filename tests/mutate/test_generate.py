"""Generated mutants: every operator finds its sites, each mutant is one compiled hunk, ids are stable and the
sample is the same every time, spread over the operators and capped."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.mutate.generate import generate_mutants, sample
from grader.mutate.operators import OPERATORS

LAYER = Path(__file__).parent / "files" / "layer.py"


@pytest.fixture(scope="module")
def mutants():
    rubric = replace(load_assignment("bench_layers"), reference=LAYER)
    return generate_mutants(rubric, limit=10_000)


def changed(mutant) -> list[str]:
    return [line[1:].strip() for line in mutant.diff.splitlines() if line.startswith("+") and not line.startswith("+++")]


def test_every_operator_has_sites(mutants):
    assert {m.operator for m in mutants} == set(OPERATORS)


@pytest.mark.parametrize("operator, label, line", [
    ("sign_flip", "+ -> -", "return x @ self.W.T - 1.0"),
    ("dropped_term", "drop the right term", "return (x @ self.W.T)"),
    ("sum_mean", "sum -> mean", "return g.mean(axis=0)[1:] if g.shape[0] > 1 else g"),
    ("transpose", "drop .T", "self.W_grad = (g) @ self._x"),
    ("transpose", "a @ b -> b @ a", "self.W_grad = self._x @ g.T"),
    ("off_by_one", "slice lower 1 -> 2", "return g.sum(axis=0)[2:] if g.shape[0] > 1 else g"),
    ("off_by_one", "range stop - 1", "for _ in range(3 - 1):"),
    ("swapped_arguments", "swap the first two arguments", "self.W = np.random.uniform(bound, -bound, size=(n_out, n_in))"),
    ("gradient_step", "remove the zero_grad() call", "pass"),
    ("gradient_step", "drop .detach()", "return (loss)"),
    ("gradient_step", "= -> += (accumulate)", "self.W_grad += g.T @ self._x"),
    ("changed_constant", "1.0 -> 2.0", "return x @ self.W.T + 2.0"),
    ("comparison", "> -> >=", "return g.sum(axis=0)[1:] if g.shape[0] >= 1 else g"),
])
def test_operator_produces_one_hunk(mutants, operator, label, line):
    hits = [m for m in mutants if m.operator == operator and m.label == label and changed(m) == [line]]
    assert len(hits) == 1, [(m.label, changed(m)) for m in mutants if m.operator == operator]
    assert hits[0].diff.count("@@ ") == 1
    compile(hits[0].source, "mutant", "exec")


def test_prints_docstrings_signatures_and_module_code_are_left_alone(mutants):
    lines = [line for m in mutants for line in changed(m)]
    assert not any("print(" in line or "docstring" in line or "def " in line for line in lines)
    assert not any(m.function == "" for m in mutants)


def test_ids_are_unique_stable_and_name_the_function(mutants):
    ids = [m.id for m in mutants]
    assert len(ids) == len(set(ids))
    again = generate_mutants(replace(load_assignment("bench_layers"), reference=LAYER), limit=10_000)
    assert [m.id for m in again] == ids
    assert all(m.id.split(":")[1] == m.function for m in mutants)


def test_the_sample_is_capped_spread_and_deterministic(mutants):
    picked = sample(mutants, 9)
    assert len(picked) == 9 and len({m.operator for m in picked}) == 9
    assert [m.id for m in sample(list(reversed(mutants)), 9)] == [m.id for m in picked]


def test_notebook_references_are_mutated_cell_by_cell():
    rubric = load_assignment("dl_assignment1")
    picked = generate_mutants(rubric, limit=5)
    assert len(picked) == 5
    assert all("(code cell " in m.diff for m in picked)
    assert all(m.source.lstrip().startswith("{") for m in picked)


def test_functions_that_make_held_out_data_are_not_mutated():
    rubric = load_assignment("numpy_nn")
    trusted = {spec.function for spec in rubric.heldout}
    assert trusted and not any(m.function in trusted for m in generate_mutants(rubric, limit=10_000))


def test_a_change_on_a_cells_last_line_shows_in_its_diff():
    # a notebook cell's source has no final newline: the diff must still have its own "+" line
    rubric = load_assignment("dl_assignment1")
    assert all(changed(m) for m in generate_mutants(rubric, limit=10_000))
