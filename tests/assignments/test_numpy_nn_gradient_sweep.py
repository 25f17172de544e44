"""The model gradient check of numpy_nn on 200 randomly generated correct networks (float32 and float64,
1 to 4 hidden layers of width 1 to 128, both W layouts, input cast to float32 inside forward, layers in a
list or a dict): no false fail, and none taken for a shortcut model; and the same generator with one bug each is caught.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CORRECT_NETWORKS = 200
BUGGY_NETWORKS = 30
ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


# the sweep takes a minute: its tests share one worker, so it runs once per `make test`
pytestmark = pytest.mark.xdist_group("numpy_nn_sweep")


@pytest.fixture(scope="module")
def sweep() -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.assignments.fixtures.numpy_nn_sweep", str(CORRECT_NETWORKS), str(BUGGY_NETWORKS)],
        cwd=Path(__file__).parents[2], env={**os.environ, **ONE_THREAD}, capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout)


def test_no_correct_network_fails(sweep):
    failures = [case for case in sweep["correct"] if not case["ok"]]
    assert failures == []
    kinds = [case["dtype"] for case in sweep["correct"]]
    assert min(kinds.count("float32"), kinds.count("float64")) >= CORRECT_NETWORKS // 4  # both precisions exercised


def test_no_correct_network_is_taken_for_a_shortcut(sweep):
    """Generated ReLU networks are straight between kinks and move with their parameters: never flagged."""
    assert [case["seed"] for case in sweep["correct"] if case["provenance_problems"]] == []


@pytest.mark.parametrize("bug", ["inverted_mask", "bgrad_mean", "skip_first", "no_relu_backward"])
def test_buggy_networks_are_caught(sweep, bug):
    caught = sum(not ok for ok in sweep["buggy"][bug])
    # a bug can be invisible on one network (e.g. skip_first when every first-layer unit is dead)
    assert caught >= BUGGY_NETWORKS - 3
