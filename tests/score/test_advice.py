"""Advice never costs the grader its run: sources too deep for the parser get no advice, not an error."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.observations import Observations
from grader.score.advice import MAX_PARSED_BYTES, advice_for

TRUSTED_CASES = Path(__file__).parents[1] / "hostile" / "trusted"


@pytest.mark.parametrize("name", ["deep_expression.py", "long_unary_chain.py"])
def test_sources_too_deep_to_parse_get_no_advice(name):
    assert advice_for(TRUSTED_CASES / name, Observations(), load_assignment("numpy_nn")) == []


def test_a_huge_source_is_not_parsed(tmp_path):
    source = tmp_path / "numpy_nn.py"
    source.write_text("for i in range(3):\n    pass\n" + "#" * MAX_PARSED_BYTES)
    assert advice_for(source, Observations(), load_assignment("numpy_nn")) == []


def test_a_source_that_trains_at_import_gets_the_advice(tmp_path):
    source = tmp_path / "numpy_nn.py"
    source.write_text("for i in range(3):\n    pass\n")
    notes = advice_for(source, Observations(), load_assignment("numpy_nn"))
    assert any("at import time" in note for note in notes)
