"""print_summary: a readable terminal table for instructors."""
from __future__ import annotations

import io

import pandas as pd
from rich.console import Console

from grader.report.gradebook import build_gradebook
from grader.report.summary import check_pass_rates, print_summary
from tests.report.fixtures import all_results


def render(gradebook: pd.DataFrame) -> str:
    console = Console(file=io.StringIO(), width=120, color_system=None)
    print_summary(gradebook, console)
    return console.file.getvalue()


def test_student_rows() -> None:
    text = render(build_gradebook(all_results()))
    assert "Gradebook: 4 students" in text
    assert "16.5 / 16.5" in text and "100.0" in text
    assert "12.5 / 16.5 (+4 pending)" in text and "pending-manual" in text
    assert "timeout" in text


def test_full_points_per_check() -> None:
    book = build_gradebook(all_results())
    rates = check_pass_rates(book).set_index("check_id")
    assert rates.loc["linear_forward_shape", "full"] == 3  # alice, bob, dave
    assert rates.loc["plots", "full"] == 1  # alice; bob 2/4; carol and dave pending
    assert rates.loc["plots", "scored"] == 2
    text = render(book)
    assert "Full points per check" in text
    assert "3/4" in text and "75%" in text and "1/2" in text


def test_rates_from_a_csv_without_attrs_fall_back_to_best_score() -> None:
    book = build_gradebook(all_results())
    book.attrs.clear()
    assert check_pass_rates(book).set_index("check_id").loc["mse_forward", "max_points"] == 1.5


def test_empty_gradebook() -> None:
    assert "No graded submissions." in render(build_gradebook([]))


def test_rows_that_need_review_have_their_status_and_are_counted() -> None:
    from dataclasses import replace

    results = all_results()
    results[1] = replace(results[1], extra={**results[1].extra, "needs_review": {"reason": "no contract"}})
    book = build_gradebook(results)
    assert (book["status"] == "needs-review").sum() == 1
    text = render(book)
    assert "needs-review" in text and "1 submission needs review" in text
