"""The optional [handout] table: the student-facing contract of an assignment whose handout names no API."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.checks.kinds import KNOWN_KINDS
from grader.rubric import RubricError, load_rubric

FILES = Path(__file__).parent / "files"


def rubric_with(tmp_path: Path, extra: str) -> Path:
    for folder in ("reference", "probes"):
        shutil.copytree(FILES / folder, tmp_path / folder)
    (tmp_path / "rubrics").mkdir()
    path = tmp_path / "rubrics" / "good.toml"
    path.write_text((FILES / "rubrics" / "good.toml").read_text() + extra)
    return path


def test_a_rubric_without_handout_has_an_empty_one():
    assert load_rubric(FILES / "rubrics" / "good.toml", KNOWN_KINDS).handout == ""


def test_handout_text_is_kept_without_its_surrounding_newlines(tmp_path):
    path = rubric_with(tmp_path, '\n[handout]\ntext = """\nThing(x).forward(x) -> y\n    the output\n"""\n')
    assert load_rubric(path, KNOWN_KINDS).handout == "Thing(x).forward(x) -> y\n    the output"


def test_a_handout_table_with_other_keys_is_refused(tmp_path):
    path = rubric_with(tmp_path, '\n[handout]\ntext = "x"\nfile = "contract.md"\n')
    with pytest.raises(RubricError, match=r"\[handout\] must hold only text"):
        load_rubric(path, KNOWN_KINDS)


def test_pol_reg_torch_handout_names_every_api_entry():
    rubric = load_assignment("pol_reg_torch")
    assert rubric.handout.startswith("pol_reg_torch: the functions and constants the autograder calls")
    missing = [name for name in rubric.api if name not in rubric.handout]
    assert not missing
