"""The grader's own failures on one submission become that student's row; the others are graded as usual."""
from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
from rich.console import Console

from grader.assignments import load_assignment
from grader.containment import RETRY_KEY, ContainedRunner, Progress, from_exception
from grader.discover.submission import Submission
from grader.report.gradebook import GRADER_ERRORS_ATTR, build_gradebook
from grader.report.summary import print_summary
from grader.run import Outputs, publish
from grader.results.submission import SubmissionResult
from grader.store.results import ResultStore
from tests.report.fixtures import load_result

FOREVER = threading.Event()  # never set: a step that hangs


def submission(tmp_path: Path, name: str) -> Submission:
    path = tmp_path / f"{name}.py"
    path.write_text(f"# {name}\n")
    return Submission(name, path, (path,), path)


def fake_grade(rubric):
    def grade(sub: Submission, progress: Progress) -> SubmissionResult:
        progress.enter("judging")
        if sub.student_id == "raises":
            raise ValueError("cannot convert float NaN to integer")
        if sub.student_id == "hangs":
            FOREVER.wait()
        progress.enter("running", sandboxed=True)
        if sub.student_id == "slow_sandbox":
            threading.Event().wait(1.0)  # longer than the trusted limit, but in the sandbox: not a hang
        return SubmissionResult(sub.student_id, rubric.name, (), sub.content_hash(), load_result("perfect").run, ())
    return grade


def test_an_exception_or_a_hang_becomes_that_students_row_and_the_others_are_graded(tmp_path):
    rubric = load_assignment("numpy_nn")
    names = ["a_ok", "raises", "hangs", "slow_sandbox", "z_ok"]
    subs = [submission(tmp_path, n) for n in names]
    runner = ContainedRunner(fake_grade(rubric), lambda s, step, exc: from_exception(rubric, s, 1, step, exc),
                             workers=2, step_seconds=0.5, poll_seconds=0.05)
    results = {r.student_id: r for r in runner.results(subs)}
    runner.close(wait=5)
    assert sorted(results) == sorted(names)
    assert {n for n, r in results.items() if r.grader_error} == {"raises", "hangs"}
    raised = results["raises"].grader_error
    assert raised.step == "judging" and raised.error == "ValueError: cannot convert float NaN to integer"
    assert raised.where and all(frame.startswith("grader/") for frame in raised.where)  # the grader's frames only
    hung = results["hangs"].grader_error
    assert hung.step == "judging" and "did not finish within 0.5 s" in hung.error
    assert results["raises"].status == "grader-error" and results["raises"].run.status == "harness_error"
    assert "not your fault" in results["raises"].run.message and "NaN" not in results["raises"].run.message


def test_a_grader_error_row_round_trips_and_is_graded_again(tmp_path):
    rubric = load_assignment("numpy_nn")
    sub = submission(tmp_path, "s1")
    row = from_exception(rubric, sub, 7, "judging", RecursionError("maximum recursion depth exceeded"))
    with ResultStore(tmp_path / "store.sqlite") as store:
        store.put(row, RETRY_KEY, "2026-01-01T00:00:00+00:00")
        again = store.get("s1", "numpy_nn")[0]
        assert again == row and again.grader_error.error.startswith("RecursionError")
        # the cache never serves it: no real grading key equals RETRY_KEY
        assert store.lookup("s1", "numpy_nn", row.content_hash, "a-real-key") is None


def test_the_gradebook_leaves_a_grader_error_row_ungraded_and_the_summary_names_it(tmp_path):
    rubric = load_assignment("numpy_nn")
    row = from_exception(rubric, submission(tmp_path, "s1"), 7, "judging", ValueError("boom \x1b[2J"))
    book = build_gradebook([row, load_result("perfect")])
    mine = book.set_index("student_id").loc["s1"]
    assert mine["status"] == "grader-error" and pd.isna(mine["total"]) and pd.isna(mine["auto_points"])
    book.attrs[GRADER_ERRORS_ATTR] = {"s1": row.grader_error.describe()}
    console = Console(record=True, width=200)
    print_summary(book, console)
    text = console.export_text()
    assert "The grader failed on 1 submission" in text and "judging: ValueError: boom" in text
    assert "\x1b[2J" not in text


def test_a_report_that_cannot_be_written_becomes_a_grader_error_row(tmp_path, monkeypatch):
    from grader.report import incremental

    outputs = Outputs(tmp_path / "out")
    results = [load_result("perfect"), load_result("failures")]
    real = incremental.write_feedback

    def fail_for_bob(result, *args, **kwargs):
        if result.student_id == "bob" and not result.grader_error:
            raise RuntimeError("rendering failed")
        return real(result, *args, **kwargs)

    monkeypatch.setattr(incremental, "write_feedback", fail_for_bob)
    book = publish(results, outputs, public_only=False)
    assert set(book["student_id"]) == {"alice", "bob"}
    errors = book.attrs[GRADER_ERRORS_ATTR]
    assert list(errors) == ["bob"] and errors["bob"].startswith("writing the feedback report for: RuntimeError: rendering failed")
    assert (outputs.feedback / "alice.md").is_file() and (outputs.feedback / "bob.md").is_file()
    assert "The grader itself failed" in (outputs.feedback / "bob.md").read_text()
    with ResultStore(outputs.store) as store:
        stored, _, key = store.get("bob", load_result("failures").assignment)
    assert key == RETRY_KEY and stored.grader_error.step == "writing the feedback report for"
