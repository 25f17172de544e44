"""Kit and check refuse unusable input with one clear sentence, before any sandbox starts."""
from __future__ import annotations

import pytest

from grader.kit.build import KitError, build_kit, kit_seed
from grader.kit.check import CheckError, check_file
from grader.assignments import load_assignment


def test_a_kit_never_replaces_a_folder_that_is_no_kit(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(KitError, match="is not a kit"):
        build_kit("bench_layers", tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_check_needs_a_kit_and_a_file(tmp_path):
    (tmp_path / "layers.py").write_text("x = 1\n")
    with pytest.raises(CheckError, match="no self-check kit found"):
        check_file(tmp_path / "layers.py")
    with pytest.raises(CheckError, match="not found"):
        check_file(tmp_path / "missing.py", kit=tmp_path)


@pytest.mark.parametrize("assignment", ["numpy_nn", "bench_layers", "torch_hw7"])
def test_kit_seeds_are_none_of_the_rubric_seeds(assignment):
    rubric = load_assignment(assignment)
    seeds = {kit_seed(rubric), *(kit_seed(rubric, f"data:{h.name}") for h in rubric.heldout)}
    assert not seeds & {rubric.seed, *(h.seed for h in rubric.heldout)}
