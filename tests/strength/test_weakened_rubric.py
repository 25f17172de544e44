"""Proving the rubric: `selftest --generate` on a copy of bench_layers with a few generated mutants passes once
its survivors are accepted; weakening one tolerance by a factor of a million then makes it fail, naming the
check and the mutants (hand-written and generated) that now pass it. The second run replays recorded runs.

Also: `grader run` warns while the selftest record is missing or stale, and not once it is current."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from grader.assignments import load_assignment
from grader.strength.command import run_generated_selftest
from grader.strength.mutation import run_mutants
from grader.strength.record import staleness, write_record

REPO = Path(__file__).resolve().parents[2]
FILES = ("rubrics/bench_layers.toml", "reference/bench_layers.py", "probes/bench_layers.py",
         "reference/bench_layers_mutants/mutants.toml")
CHECK = "linear_param_grads_fd"
pytestmark = pytest.mark.slow


@pytest.fixture
def home(monkeypatch) -> Iterator[Path]:
    """A GRADER_HOME with a copy of bench_layers (outside /tmp, which every sandboxed run sees privately)."""
    path = Path(tempfile.mkdtemp(prefix="grader-strength-test-", dir="/var/tmp"))
    try:
        for relative in FILES:
            (path / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO / relative, path / relative)
        monkeypatch.setenv("GRADER_HOME", str(path))
        monkeypatch.setenv("GRADER_CACHE", str(path / "cache"))
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def weaken(home: Path) -> None:
    rubric = home / "rubrics" / "bench_layers.toml"
    text = rubric.read_text()
    old = f'id = "{CHECK}"'
    start = text.index(old)
    end = text.index("rtol = 1e-5", start) + len("rtol = 1e-5")
    rubric.write_text(text[:start] + text[start:end].replace("rtol = 1e-5", "rtol = 10.0") + text[end:])


def test_weakening_a_tolerance_fails_selftest_and_names_the_check_and_survivors(home):
    lines, ok = run_generated_selftest("bench_layers", jobs=2, limit=12, seeds=0, accept=True)
    assert ok, "\n".join(lines)
    accepted = (home / "reference" / "bench_layers_mutants" / "generated.toml").read_text()
    assert f"{CHECK} = [" in accepted

    weaken(home)
    lines, ok = run_generated_selftest("bench_layers", jobs=2, limit=12, seeds=0)
    report = "\n".join(lines)
    assert not ok and "selftest FAILED" in report
    assert f"check '{CHECK}' no longer fails the hand-written mutant(s) labelled with it" in report
    assert "which now pass it: bgrad_mean" in report
    run = run_mutants(load_assignment("bench_layers"), 12, 2)
    lost = run.weakened()[CHECK]
    assert lost and all(CHECK not in run.generated[i] for i in lost)
    assert f"check '{CHECK}' no longer fails {len(lost)} generated mutant(s)" in report
    survivors = [i for i in lost if not run.generated[i]]
    assert survivors and all(i in report for i in survivors)


def test_grader_run_warns_while_the_selftest_record_is_missing_or_stale(home):
    rubric = load_assignment("bench_layers")
    assert "has no selftest result" in staleness(rubric)
    write_record(rubric, ok=True)
    assert staleness(rubric) == ""
    weaken(home)
    assert "stale, changed since: rubric" in staleness(load_assignment("bench_layers"))
    write_record(load_assignment("bench_layers"), ok=False)
    assert "failed" in staleness(load_assignment("bench_layers"))
