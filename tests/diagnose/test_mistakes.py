"""The known-mistake loader reads every entry of a mutants file that names a source (substitutions, a stored
hand-in, inline source), ignores entries of other shapes, and builds each hand-in."""
from __future__ import annotations

from dataclasses import replace

import pytest

from grader.assignments import load_assignment
from grader.diagnose.mistakes import load_mistakes, mistake_source

MUTANTS = '''
[bgrad_mean]
description = "b_grad averaged over the batch"
replace = [["self.b_grad = grad_out.sum(axis=0)", "self.b_grad = grad_out.mean(axis=0)"]]
fails = ["linear_param_grads_fd"]

[returns_zeros]
kind = "degenerate"
description = "every method returns zeros"
file = "returns_zeros.py"
fails = ["linear_param_grads_fd"]

[inline_shortcut]
kind = "shortcut"
source = "import numpy as np\\n"
diagnose = false

[settings]
note = "a table without a source is not a mistake"
'''


@pytest.fixture
def rubric(tmp_path):
    (tmp_path / "mutants.toml").write_text(MUTANTS)
    (tmp_path / "returns_zeros.py").write_text("class NPLinear:\n    pass\n")
    return replace(load_assignment("bench_layers"), mutants=tmp_path / "mutants.toml")


def test_every_entry_with_a_source_is_a_known_mistake(rubric):
    mistakes = {m.name: m for m in load_mistakes(rubric)}
    assert sorted(mistakes) == ["bgrad_mean", "inline_shortcut", "returns_zeros"]
    assert mistakes["bgrad_mean"].kind == "mutant" and mistakes["returns_zeros"].kind == "degenerate"
    assert mistakes["returns_zeros"].fails == {"linear_param_grads_fd"}
    assert not mistakes["inline_shortcut"].diagnose


def test_each_hand_in_is_built(rubric):
    mistakes = {m.name: m for m in load_mistakes(rubric)}
    assert "grad_out.mean(axis=0)" in mistake_source(rubric, mistakes["bgrad_mean"])
    assert mistake_source(rubric, mistakes["returns_zeros"]) == "class NPLinear:\n    pass\n"
    assert mistake_source(rubric, mistakes["inline_shortcut"]) == "import numpy as np\n"


def test_every_bundled_mutant_has_a_description_in_the_assignment_words():
    from grader.assignments import available_assignments

    for name in available_assignments():
        for mistake in load_mistakes(load_assignment(name)):
            assert len(mistake.description) > 10, (name, mistake.name)
