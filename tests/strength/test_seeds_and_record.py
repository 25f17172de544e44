"""False-fail rates read against what the rubric states; the selftest record's fingerprints; the warning
`grader run` prints for a missing selftest record."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from grader.assignments import load_assignment
from grader.cli import _warn_stale_selftests
from grader.strength.record import fingerprints, record_path, staleness, write_record
from grader.strength.seeds import FalseFailRate, measure, stated_bound

REPO = Path(__file__).resolve().parents[2]


def test_rates_and_their_upper_bound():
    clean = FalseFailRate("linear_init_weight", "init_distribution", 0, 10, 1e-7)
    assert clean.rate == 0 and clean.ok and clean.upper95 == pytest.approx(1 - 0.05 ** (1 / 10))
    failing = FalseFailRate("model_target_loss", "target_loss", 1, 10, None)
    assert not failing.ok and failing.rate == 0.1
    assert FalseFailRate("c", "init_distribution", 1, 10, 0.2).ok


def test_the_bound_a_rubric_states_is_its_alpha():
    rubric = load_assignment("numpy_nn")
    bounds = {spec.id: stated_bound(spec) for spec in rubric.checks if spec.kind == "init_distribution"}
    assert bounds and all(b == pytest.approx(1e-7) for b in bounds.values())
    assert all(stated_bound(spec) is None for spec in rubric.checks if spec.kind == "target_loss")


def test_fingerprints_cover_the_content_files():
    rubric = load_assignment("numpy_nn")
    assert set(fingerprints(rubric)) == {"mutants", "probe", "reference", "rubric"}
    assert record_path(rubric) == rubric.mutants.parent / "selftest.json"


def test_grader_run_warns_about_a_missing_record(tmp_path, monkeypatch):
    for relative in ("rubrics/bench_layers.toml", "reference/bench_layers.py", "probes/bench_layers.py",
                     "reference/bench_layers_mutants/mutants.toml"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / relative, tmp_path / relative)
    monkeypatch.setenv("GRADER_HOME", str(tmp_path))
    console = Console(file=io.StringIO(), width=200)
    _warn_stale_selftests({"bench_layers": None}, console)
    assert "bench_layers has no selftest result" in console.file.getvalue()
    write_record(load_assignment("bench_layers"), ok=True)
    assert staleness(load_assignment("bench_layers")) == ""


@pytest.mark.slow
def test_a_deterministic_rubric_has_no_false_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_CACHE", str(tmp_path))
    assert measure(load_assignment("bench_layers"), seeds=2, jobs=2) == []
