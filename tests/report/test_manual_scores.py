"""apply_manual_scores: TA scores turn pending manual items into graded ones."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from grader.report.gradebook import apply_manual_scores, build_gradebook
from grader.store.results import ResultStore
from tests.report.fixtures import all_results


def manual(*rows: tuple[str, str, float], **extra: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["student_id", "item_id", "points"])
    for column, value in extra.items():
        frame[column] = value
    return frame


def by_id(results: list) -> dict:
    return {r.student_id: r for r in results}


def test_pending_item_becomes_manual_with_the_ta_points() -> None:
    scored = by_id(apply_manual_scores(all_results(), manual(("dave", "plots", 3.0), grader="ta_kim", comment="ok")))
    plots = scored["dave"].checks[-1]
    assert (plots.status, plots.score, plots.message) == ("manual", 3.0, "ok")
    assert plots.details["graded_by"] == "ta_kim"
    assert scored["dave"].pending_points == 0
    assert scored["dave"].status == "graded"
    book = build_gradebook(scored.values()).set_index("student_id")
    assert book.loc["dave", "manual_points"] == 3.0
    assert book.loc["dave", "total"] == 15.5


def test_other_students_are_untouched() -> None:
    before = by_id(all_results())
    after = by_id(apply_manual_scores(all_results(), manual(("dave", "plots", 3.0))))
    assert after["alice"] == before["alice"]
    assert after["carol"] == before["carol"]  # still pending: nobody graded it


def test_points_are_clipped_to_the_item_range() -> None:
    scored = by_id(apply_manual_scores(all_results(), manual(("dave", "plots", 9.0), ("carol", "plots", -1.0))))
    assert scored["dave"].checks[-1].score == 4.0
    assert scored["carol"].checks[-1].score == 0.0
    assert scored["dave"].checks[-1].details["points_entered"] == 9.0


def test_a_graded_item_can_be_regraded() -> None:
    scored = by_id(apply_manual_scores(all_results(), manual(("bob", "plots", 4.0))))
    assert scored["bob"].checks[-1].score == 4.0


def test_unknown_student_ids_are_named() -> None:
    with pytest.raises(ValueError, match="unknown student id\\(s\\): eve, mallory"):
        apply_manual_scores(all_results(), manual(("mallory", "plots", 1.0), ("eve", "plots", 1.0)))


def test_unknown_item_ids_are_named() -> None:
    with pytest.raises(ValueError, match="dave/plotz"):
        apply_manual_scores(all_results(), manual(("dave", "plotz", 1.0)))


def test_an_automatic_check_cannot_be_overridden_by_hand() -> None:
    with pytest.raises(ValueError, match="unknown manual item\\(s\\).*dave/mse_forward"):
        apply_manual_scores(all_results(), manual(("dave", "mse_forward", 1.5)))


def test_duplicates_and_empty_scores_are_refused() -> None:
    with pytest.raises(ValueError, match="more than one manual score for: dave/plots"):
        apply_manual_scores(all_results(), manual(("dave", "plots", 1.0), ("dave", "plots", 2.0)))
    with pytest.raises(ValueError, match="empty \\(NaN\\) for: dave/plots"):
        apply_manual_scores(all_results(), manual(("dave", "plots", math.nan)))


def test_rows_of_other_assignments_are_ignored() -> None:
    other = manual(("zoe", "plots", 1.0), assignment="torch_cnn")
    assert apply_manual_scores(all_results(), other) == all_results()


def test_scores_from_the_store_apply_directly(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "grades.sqlite") as store:
        store.set_manual("dave", "numpy_nn", "plots", 2.5, grader="ta_kim", comment="Axes unlabelled.")
        frame = store.manual_scores("numpy_nn")
    dave = by_id(apply_manual_scores(all_results(), frame))["dave"]
    assert (dave.checks[-1].score, dave.checks[-1].message) == (2.5, "Axes unlabelled.")
