"""Rubric files load into validated dataclasses; every instructor mistake gets a precise message."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.checks.kinds import KNOWN_KINDS
from grader.rubric import RubricError, load_rubric

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


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    """good.toml with one substitution, written where its relative paths still resolve (tests/rubric/files)."""
    path = FILES / f"_tmp_{tmp_path.name}.toml"
    path.write_text((FILES / "good.toml").read_text().replace(old, new))
    return path


@pytest.mark.parametrize("assignment, message", [
    ('support = ["probes/support/helper.py"]\n', None),
    ('support = "probes/support/helper.py"\n', "support must be a list of file paths"),
    ('support = ["probes/missing.py"]\n', "the support file"),
    ('support = ["probes/tiny.py"]\n', "none named like main_file"),
    ('data = "reference/missing.py"\n', "the data file"),
])
def test_support_and_data_files_are_validated(tmp_path, assignment, message):
    path = _variant(tmp_path, 'probe = "probes/tiny.py"\n', f'probe = "probes/tiny.py"\n{assignment}')
    try:
        if message is None:
            rubric = load_rubric(path, KNOWN_KINDS)
            assert [p.name for p in rubric.support] == ["helper.py"] and rubric.support[0] in rubric.content_files()
        else:
            with pytest.raises(RubricError, match=message):
                load_rubric(path, KNOWN_KINDS)
    finally:
        path.unlink()


def test_notebook_assignments_declare_support_and_data():
    hw7 = load_assignment("torch_hw7")
    assert [p.name for p in hw7.support] == ["hw7_support.py"] and hw7.data_module.name == "torch_hw7_data.py"
    assert hw7.max_points == 32 and sum(c.points for c in hw7.checks) == 26
    dl1 = load_assignment("dl_assignment1")
    assert dl1.main_file == "assignment1.ipynb" and dl1.max_points == 42 and sum(c.points for c in dl1.checks) == 22
    assert dl1.limits.cell_seconds == 45
