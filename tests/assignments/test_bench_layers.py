"""bench_layers (the side-by-side benchmark's homework): its reference passes, and every known mistake loses
exactly the points its mutant says (reference/bench_layers_mutants/mutants.toml)."""
from __future__ import annotations

import pytest

from grader.selftest import run_selftest


@pytest.mark.slow
def test_bench_layers_selftest() -> None:
    report = run_selftest("bench_layers", jobs=2)
    assert report.mismatches == {}
    assert report.unable_to_fail == []
    assert len(report.outcomes) == 13
