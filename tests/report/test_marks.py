"""Marks from the store: manual scores and overrides applied; manual_scores.csv imported and exported."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from grader.report.feedback import render_feedback
from grader.report.gradebook import build_gradebook
from grader.report.marks import export_manual_csv, import_manual_csv, marked_results
from grader.store.results import ResultStore
from tests.report.fixtures import all_results

WHEN = "2026-12-01T10:00:00+00:00"
FILES = Path(__file__).parent / "files"


@pytest.fixture
def store(tmp_path: Path):
    with ResultStore(tmp_path / "grades.sqlite") as opened:
        for result in all_results():
            opened.put(result, "key", WHEN)
        yield opened


def book(store: ResultStore) -> pd.DataFrame:
    return build_gradebook(marked_results(store, "numpy_nn")).set_index("student_id")


def test_a_manual_score_in_the_store_changes_the_gradebook(store: ResultStore) -> None:
    before = book(store).loc["dave"]
    store.set_manual("dave", "numpy_nn", "plots", 3.0, "ta_kim", "clear plots")
    after = book(store).loc["dave"]
    assert (after["total"] - before["total"], after["status"]) == (3.0, "graded")


def test_an_override_changes_points_and_the_report_says_why(store: ResultStore) -> None:
    bob = {r.student_id: r for r in all_results()}["bob"]
    failed = next(c for c in bob.checks if c.status == "failed" and not c.is_manual)
    store.set_override("bob", "numpy_nn", failed.check_id, failed.max_score, "ta_kim", "Equivalent layout; accepted.")
    marked = {r.student_id: r for r in marked_results(store, "numpy_nn")}["bob"]
    check = next(c for c in marked.checks if c.check_id == failed.check_id)
    assert check.score == failed.max_score
    assert check.details["override"]["automatic_points"] == failed.score
    assert marked.score - bob.score == pytest.approx(failed.lost)
    report = render_feedback(marked).markdown
    assert "changed by your TA from" in report and "Equivalent layout; accepted." in report


def test_override_points_are_clipped_and_manual_items_are_not_overridden(store: ResultStore) -> None:
    store.set_override("dave", "numpy_nn", "mse_forward", 99.0, "ta_kim", "typo")
    store.set_override("dave", "numpy_nn", "plots", 4.0, "ta_kim", "not how manual items are scored")
    dave = {r.student_id: r for r in marked_results(store, "numpy_nn")}["dave"]
    by_id = {c.check_id: c for c in dave.checks}
    assert by_id["mse_forward"].score == 1.5
    assert by_id["plots"].status == "pending"


def test_scores_of_students_no_longer_graded_are_kept_but_not_applied(store: ResultStore) -> None:
    store.set_manual("zed", "numpy_nn", "plots", 3.0, "ta_kim")
    assert "zed" not in book(store).index
    assert store.manual_scores("numpy_nn")["student_id"].tolist() == ["zed"]


def test_csv_round_trip_through_the_store(store: ResultStore, tmp_path: Path) -> None:
    source = tmp_path / "manual_scores.csv"
    source.write_text("student_id,item_id,points,grader,comment\ndave,plots,3.5,ta_kim,\"Nice, clear plots\"\ncarol,plots,1,,\n")
    assert import_manual_csv(store, "numpy_nn", source) == 2
    assert import_manual_csv(store, "numpy_nn", source) == 0  # unchanged: no new history rows
    exported = tmp_path / "exported.csv"
    export_manual_csv(store, "numpy_nn", exported)
    assert exported.read_text() == (
        "student_id,item_id,points,grader,comment\n"
        "carol,plots,1.0,manual_scores.csv,\n"
        "dave,plots,3.5,ta_kim,\"Nice, clear plots\"\n")
    # the exported file imports to the same store contents
    before = store.manual_scores("numpy_nn")
    assert import_manual_csv(store, "numpy_nn", exported) == 0
    pd.testing.assert_frame_equal(store.manual_scores("numpy_nn"), before)
    assert len(store.history("numpy_nn")) == 2


def test_a_csv_with_a_mistake_changes_nothing(store: ResultStore, tmp_path: Path) -> None:
    source = tmp_path / "manual_scores.csv"
    source.write_text("student_id,item_id,points\ndave,plots,3\nmallory,plots,1\n")
    with pytest.raises(ValueError, match="unknown student id"):
        import_manual_csv(store, "numpy_nn", source)
    assert store.manual_scores("numpy_nn").empty


def test_the_export_leaves_out_students_without_results_so_it_imports_again(store: ResultStore, tmp_path: Path) -> None:
    store.set_manual("dave", "numpy_nn", "plots", 3.0, "ta_kim")
    store.set_manual("zed", "numpy_nn", "plots", 2.0, "ta_kim")  # withdrawn: the store keeps the TA's work
    exported = tmp_path / "manual_scores.csv"
    export_manual_csv(store, "numpy_nn", exported)
    assert pd.read_csv(exported)["student_id"].tolist() == ["dave"]
    assert import_manual_csv(store, "numpy_nn", exported) == 0


def test_no_file_is_written_for_an_assignment_without_manual_scores(store: ResultStore, tmp_path: Path) -> None:
    export_manual_csv(store, "numpy_nn", tmp_path / "manual_scores.csv")
    assert not (tmp_path / "manual_scores.csv").exists()


def test_a_comment_on_full_marks_reaches_the_report(store: ResultStore) -> None:
    store.set_manual("dave", "numpy_nn", "plots", 4.0, "ta_kim", "Exemplary axes and legends.")
    dave = {r.student_id: r for r in marked_results(store, "numpy_nn")}["dave"]
    assert "Exemplary axes and legends." in render_feedback(dave).markdown
