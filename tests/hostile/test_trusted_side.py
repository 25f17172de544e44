"""Hand-ins that broke the grader itself, graded in one class next to two correct controls (trusted/cases.toml).

The run must finish with every row present and none a grader-error (each trigger is fixed; containment
itself is tested in tests/test_containment.py), the controls must score exactly as when graded alone, the
grading process's own peak memory must stay bounded, no work folder may remain, and every report and CSV
must pass the inertness scan.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from grader.discover import student_id_for
from grader.observations.reader import MAX_ARRAY_BYTES, MAX_OBSERVATION_BYTES
from grader.results.submission import SubmissionResult
from grader.store.results import ResultStore
from tests.hostile import corpus, inertness
from tests.hostile.conftest import REPO
from tests.hostile.test_corpus import student_text
from tests.hostile.trusted_class import CONTROLS, load_cases, stage

pytestmark = pytest.mark.slow
CASES = load_cases()
JOBS = 2
#: the whole class may cost the grading process this much more memory than the controls alone: per job,
#: one submission's kept values and one array file being read, plus room for everything else
MEMORY_ALLOWANCE_MB = JOBS * (MAX_OBSERVATION_BYTES + MAX_ARRAY_BYTES) / 2**20 + 256


@dataclass
class Graded:
    measured: dict
    results: dict[str, SubmissionResult]
    out: Path
    tmp_left: list[str]


@dataclass
class TrustedRun:
    ids: dict[str, str]
    full: Graded
    alone: Graded


def _grade(class_dir: Path, out: Path, tmp: Path) -> Graded:
    """Grade `class_dir` in a process of its own (its peak memory is then the grader's alone)."""
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-m", "tests.hostile.trusted_class", str(class_dir), str(out)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    with ResultStore(out / "numpy_nn" / "results.sqlite") as store:
        results = {r.student_id: r for r in store.results("numpy_nn")}
    return Graded(measured, results, out / "numpy_nn", sorted(p.name for p in tmp.iterdir()))


@pytest.fixture(scope="session")
def trusted_run() -> Iterator[TrustedRun]:
    scratch = Path(tempfile.mkdtemp(prefix="grader-trusted-", dir="/var/tmp"))
    try:
        staged = stage(scratch / "class", CASES)
        stage(scratch / "alone")
        ids = {name: student_id_for(Path(file).stem) for name, file in staged.items()}
        full = _grade(scratch / "class", scratch / "out", scratch / "tmp")
        alone = _grade(scratch / "alone", scratch / "alone_out", scratch / "alone_tmp")
        if os.environ.get("GRADER_TRUSTED_MEASURE"):  # for the closing note: time and memory of both runs
            Path(os.environ["GRADER_TRUSTED_MEASURE"]).write_text(json.dumps({"class": full.measured, "alone": alone.measured}))
        yield TrustedRun(ids, full, alone)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_corpus_has_one_case_per_trigger():
    triggers = {"inf_in_finite_differences", "empty_weight_placeholder", "deep_nested_return", "deep_expression",
                "long_unary_chain", "deep_folders", "wrong_type_field", "fifo_observation", "huge_predictions",
                "zero_d_relu", "markdown_exception", "long_model_name", "formula_id"}
    assert triggers <= set(CASES)


def test_the_run_finishes_with_every_row_and_no_grader_error(trusted_run: TrustedRun):
    measured, results = trusted_run.full.measured, trusted_run.full.results
    assert measured["error"] == ""
    assert sorted(results) == sorted(trusted_run.ids.values())
    assert {sid: r.grader_error.describe() for sid, r in results.items() if r.grader_error} == {}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_gets_its_outcome(trusted_run: TrustedRun, name: str):
    case = CASES[name]
    result = trusted_run.full.results[trusted_run.ids[name]]
    text = student_text(result)
    assert result.status == case.status, f"{result.status}: {text[:2000]}"
    assert case.message in text, text[:2000]
    assert result.score <= case.max_score


@pytest.mark.parametrize("control", CONTROLS)
def test_controls_score_exactly_as_alone(trusted_run: TrustedRun, control: str):
    beside = trusted_run.full.results[control]
    alone = trusted_run.alone.results[control]
    assert [(c.check_id, c.status, c.score) for c in beside.checks] == [(c.check_id, c.status, c.score) for c in alone.checks]
    assert beside.score == alone.score == 31


def test_the_grading_process_memory_is_bounded(trusted_run: TrustedRun):
    class_peak, alone_peak = trusted_run.full.measured["peak_rss_mb"], trusted_run.alone.measured["peak_rss_mb"]
    assert class_peak <= alone_peak + MEMORY_ALLOWANCE_MB, (class_peak, alone_peak)


def test_no_work_folder_remains(trusted_run: TrustedRun):
    assert trusted_run.full.tmp_left == [] and trusted_run.alone.tmp_left == []


def test_every_report_and_csv_is_inert(trusted_run: TrustedRun, monkeypatch):
    monkeypatch.setenv("GRADER_HOME", str(corpus.HOME))
    from grader.assignments import load_assignment

    rubric = load_assignment("numpy_nn")
    out = trusted_run.full.out
    problems = {}
    for path in sorted(out.glob("feedback/*.md")):
        problems[path.name] = inertness.scan_markdown(path.read_text(encoding="utf-8"), rubric)
    for path in sorted(out.glob("feedback/*.html")):
        problems[path.name] = inertness.scan_html(path.read_text(encoding="utf-8"), rubric)
    for path in sorted(out.glob("*.csv")):
        problems[path.name] = inertness.scan_csv(path.read_text(encoding="utf-8"))
    assert len(problems) == 2 * len(trusted_run.ids) + 2
    assert {name: found for name, found in problems.items() if found} == {}


def test_a_student_id_like_a_formula_stays_recognisable(trusted_run: TrustedRun):
    student = trusted_run.ids["formula_id"]
    assert student.startswith("-")
    lms = (trusted_run.full.out / "lms_grades.csv").read_text().splitlines()
    assert f"'{student},31.0" in lms
