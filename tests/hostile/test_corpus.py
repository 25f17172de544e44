"""The red-team corpus, graded in one run: each hostile hand-in gets the outcome cases.toml states, and
nothing it does reaches another student's row, a file outside the output folder, or the process table."""
from __future__ import annotations

import re
import tomllib

import pandas as pd
import pytest

from grader.assignments import grader_home, load_assignment
from tests.hostile import corpus
from tests.hostile.conftest import ENV_CANARY, HOME_CANARY, REPO, CorpusRun

CASES = corpus.load_cases()
#: secrets a run must never print, by the name cases.toml uses ("canary:<name>")
CANARIES = {
    "control": corpus.CONTROL_CANARY,
    "rubric": 'kind = "target_loss"',
    "reference": "def make_heldout(seed",
    "store": "SQLite format 3",
    "environment": ENV_CANARY,
    "home": HOME_CANARY,
}
#: the issue's list, each with at least one case
REQUIRED = [
    "loop_at_import", "loop_ignores_sigterm", "memory_bomb", "fork_bomb", "thread_bomb", "print_1gb", "giant_file",
    "sys_exit_0", "os_exit_0", "kill_parent", "kill_other_pids", "deep_recursion", "ctypes_null", "network_loopback",
    "network_external", "read_rubric", "read_reference", "read_other_student", "read_heldout_labels",
    "read_environment", "read_home", "read_result_store", "write_outside", "symlink_outside", "zip_dotdot",
    "patch_numpy", "patch_builtins", "patch_probe", "patch_writer", "forge_observations", "fake_grader_output",
    "filename_latin1", "filename_long", "background_process",
]


def student_text(result) -> str:
    """Everything a student reads about how the run went: summary, reason, notes, check messages."""
    parts = [result.problem, result.run.message, *result.notes, *(c.message for c in result.checks)]
    return " ".join(" ".join(p.split()) for p in parts if p)


def test_corpus_covers_the_issue_list():
    assert len(CASES) >= 30
    assert [name for name in REQUIRED if name not in CASES] == []
    assert all(case.status in ("pending-manual", "needs-review", "timeout", "crashed", "memory", "not-gradable")
               for case in CASES.values())
    # the run-wide checks below (control row, files, processes) hold for every case at once; a case allowed
    # to affect others would need a run of its own
    assert all(case.isolated for case in CASES.values())


def test_corpus_rubric_differs_from_numpy_nn_only_in_its_limits():
    real = tomllib.loads((REPO / "rubrics" / "numpy_nn.toml").read_text())
    copy = tomllib.loads((corpus.HOME / "rubrics" / "numpy_nn.toml").read_text())
    assert real.pop("limits") != copy.pop("limits")
    assert real == copy, "rubrics/numpy_nn.toml changed: refresh the corpus's copy with python -m tests.hostile.corpus"


def test_grader_home_selects_the_corpus_rubric(monkeypatch):
    monkeypatch.setenv("GRADER_HOME", str(corpus.HOME))
    assert grader_home() == corpus.HOME
    rubric = load_assignment("numpy_nn")
    assert (rubric.limits.wall_seconds, rubric.limits.load_seconds, rubric.limits.step_seconds) == (25, 15, 5)
    assert rubric.reference.resolve() == (REPO / "reference" / "numpy_nn.py").resolve()


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_case_gets_its_outcome(corpus_run: CorpusRun, name: str):
    case = corpus_run.cases[name]
    result = corpus_run.results[corpus_run.ids[name]]
    text = student_text(result)
    assert result.status == case.status, f"{result.status}: {text}"
    assert case.message in text, text
    assert result.score <= case.max_score, f"{result.score} > {case.max_score}: {text}"
    output = result.run.stdout_tail
    for wanted in case.output_has:
        assert wanted in output, output[-2000:]
    for unwanted in case.output_lacks:
        secret = CANARIES[unwanted.split(":", 1)[1]] if unwanted.startswith("canary:") else unwanted
        assert secret not in output, f"{unwanted} leaked: {output[-2000:]}"


@pytest.mark.slow
def test_every_student_has_exactly_one_row(corpus_run: CorpusRun):
    expected = sorted([*corpus_run.ids.values(), corpus.CONTROL])
    assert sorted(corpus_run.gradebook["student_id"]) == expected


@pytest.mark.slow
def test_control_row_is_the_same_as_when_graded_alone(corpus_run: CorpusRun):
    together = corpus_run.gradebook.set_index("student_id").loc[[corpus.CONTROL]]
    alone = corpus_run.alone.set_index("student_id").loc[[corpus.CONTROL]]
    pd.testing.assert_frame_equal(together, alone)
    assert corpus_run.results[corpus.CONTROL].checks == corpus_run.alone_results[corpus.CONTROL].checks
    assert corpus_run.results[corpus.CONTROL].score == 31


@pytest.mark.slow
def test_no_file_outside_the_output_folder_changed(corpus_run: CorpusRun):
    assert corpus_run.file_changes == []


@pytest.mark.slow
def test_no_process_outlives_the_run(corpus_run: CorpusRun):
    assert corpus_run.survivors == []


@pytest.mark.slow
def test_nothing_reached_the_loopback_listener(corpus_run: CorpusRun):
    assert corpus_run.connections == []


@pytest.mark.slow
def test_imitated_grader_output_stays_inert_in_the_reports(corpus_run: CorpusRun):
    student = corpus_run.ids["fake_grader_output"]
    html = (corpus_run.out / "numpy_nn" / "feedback" / f"{student}.html").read_text()
    assert "<script>alert" not in html and not re.search(r"<img[^>]*onerror", html)
    row = corpus_run.gradebook.set_index("student_id").loc[student]
    assert row["auto_points"] <= 31 and row["status"] == "pending-manual"


@pytest.mark.slow
def test_exported_cells_cannot_start_a_spreadsheet_formula(corpus_run: CorpusRun):
    for name in ("gradebook.csv", "lms_grades.csv"):
        text = (corpus_run.out / "numpy_nn" / name).read_text()
        cells = [cell.strip('"') for line in text.splitlines() for cell in line.split(",")]
        assert [c for c in cells if c[:1] in ("=", "+", "@")] == []


@pytest.mark.slow
def test_no_hostile_run_outlives_its_time_limit(corpus_run: CorpusRun):
    # the run's own record, not the test's stopwatch: on a busy machine the class takes longer, but a
    # limit that holds still ends every run near it
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADER_HOME", str(corpus.HOME))
        limit = load_assignment("numpy_nn").limits.wall_seconds
    overran = {s: r.run.wall_s for s, r in corpus_run.results.items() if r.run.wall_s > limit + 5}
    assert overran == {}
