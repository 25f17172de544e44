"""Rubric files load into validated dataclasses; every instructor mistake gets a precise message."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.checks.kinds import KNOWN_KINDS
from grader.score.rubric import RubricError, load_rubric

FILES = Path(__file__).parent / "files" / "rubrics"


def test_good_rubric_loads():
    rubric = load_rubric(FILES / "good.toml", KNOWN_KINDS)
    assert [c.id for c in rubric.checks] == ["thing_forward"]
    assert rubric.max_points == 3
    assert rubric.checks[0].observe == ("thing.forward[*]",)


@pytest.mark.parametrize(
    "name, message",
    [
        ("misspelt_kind", "check 'thing_forward' has unknown kind 'match_refrence'; did you mean 'match_reference'?"),
        ("points_do_not_add_up", "section 'a' declares 5 points but its items add up to 3"),
        ("missing_reference", "the reference file"),
        ("unknown_field", "check 'thing_forward' has unknown field(s) ['rtoll']"),
        ("requires_unknown_class", "requires 'Other.forward', which is not in [api]"),
        ("not_toml", "not valid TOML"),
    ],
)
def test_broken_rubrics_are_explained(name, message):
    with pytest.raises(RubricError) as error:
        load_rubric(FILES / f"{name}.toml", KNOWN_KINDS)
    assert message in str(error.value)
    assert str(FILES / f"{name}.toml") in str(error.value) or "reference file" in message


def test_unknown_assignment_lists_the_known_ones():
    with pytest.raises(RubricError, match="unknown assignment 'numpy_n'.*known assignments: .*numpy_nn"):
        load_assignment("numpy_n")


def test_numpy_nn_rubric_has_35_points_in_two_sections():
    rubric = load_assignment("numpy_nn")
    assert rubric.max_points == 35
    assert {s.id: s.points for s in rubric.sections} == {"2a": 20, "2b": 15}
