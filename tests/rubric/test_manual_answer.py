"""The optional `answer` field of a [[manual]] item: a regular expression, checked when the rubric loads."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.checks.kinds import KNOWN_KINDS
from grader.rubric import RubricError, load_rubric

FILES = Path(__file__).parent / "files" / "rubrics"


def test_dl_assignment1_names_where_each_answer_is() -> None:
    rubric = load_assignment("dl_assignment1")
    assert all(item.answer for item in rubric.manual)
    assert re.search(rubric.manual[0].answer, "### 1.1c (1 point)")
    assert not re.search(rubric.manual[0].answer, "### 1.1e (1 point)")


def test_a_broken_pattern_is_reported_with_the_item() -> None:
    with pytest.raises(RubricError, match="manual item 'plots': answer must be a regular expression"):
        load_rubric(FILES / "bad_answer_pattern.toml", KNOWN_KINDS)


def test_without_answer_the_item_has_none() -> None:
    assert load_rubric(FILES / "good.toml", KNOWN_KINDS).manual[0].answer == ""
