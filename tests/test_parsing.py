"""Every syntax tree the grading threads build is built under the one process-wide lock (grader.parsing)."""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import grader.score.advice
from grader.assignments import load_assignment
from grader.observations import Observations, read_observations
from grader.parsing import SYNTAX_TREE_LOCK
from grader.probe.channel import ObservationWriter

HAND_IN = Path(__file__).parent / "hostile" / "genuine" / "zero_backward.py"


def _noting_the_lock(real, held: list[bool]):
    """`real`, noting for each call whether the lock was held (asserting here would break pytest's own parsing)."""
    def wrapped(*args, **kwargs):
        held.append(SYNTAX_TREE_LOCK.locked())
        return real(*args, **kwargs)
    return wrapped


def test_advice_parses_the_hand_in_under_the_lock():
    held: list[bool] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(grader.score.advice.ast, "parse", _noting_the_lock(ast.parse, held))
        grader.score.advice.advice_for(HAND_IN, Observations(), load_assignment("numpy_nn"))
    assert held and all(held)


def test_array_headers_are_read_under_the_lock(tmp_path):
    writer = ObservationWriter(tmp_path)
    writer.record("linear.forward.y[b1]", np.ones((2, 3)))
    writer.finish()
    held: list[bool] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ast, "literal_eval", _noting_the_lock(ast.literal_eval, held))
        observed = read_observations(tmp_path)
    assert observed.items["linear.forward.y[b1]"].array.shape == (2, 3)
    assert held and all(held)
