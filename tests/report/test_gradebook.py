"""build_gradebook: columns, values, NaN conventions and byte-identical CSV."""
from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from grader.export.csv import export_gradebook_csv
from grader.report.gradebook import MAX_POINTS_ATTR, build_gradebook, check_columns
from tests.report.fixtures import all_results, load_result

CHECK_IDS = [
    "linear_forward_shape",
    "linear_backward_numerical",
    "linear_init_weight",
    "mse_forward",
    "model_target_loss",
    "plots",
]


@pytest.fixture(scope="module")
def gradebook() -> pd.DataFrame:
    return build_gradebook(all_results())


def row(gradebook: pd.DataFrame, student_id: str) -> pd.Series:
    return gradebook.set_index("student_id").loc[student_id]


def test_columns_in_rubric_order_then_summary(gradebook: pd.DataFrame) -> None:
    assert list(gradebook.columns) == [
        "student_id",
        *CHECK_IDS,
        "auto_points",
        "manual_points",
        "total",
        "max_points",
        "percent",
        "pending_points",
        "status",
        "run_status",
        "content_hash",
        "diagnosis",
    ]
    assert check_columns(gradebook) == CHECK_IDS


def test_one_row_per_student_sorted(gradebook: pd.DataFrame) -> None:
    assert list(gradebook["student_id"]) == ["alice", "bob", "carol", "dave"]


def test_perfect_submission(gradebook: pd.DataFrame) -> None:
    alice = row(gradebook, "alice")
    assert alice["auto_points"] == 12.5
    assert alice["manual_points"] == 4.0
    assert alice["total"] == alice["max_points"] == 16.5
    assert alice["percent"] == 100.0
    assert alice["pending_points"] == 0.0
    assert alice["status"] == "graded"
    assert alice["run_status"] == "ok"


def test_failed_and_error_checks_score_zero(gradebook: pd.DataFrame) -> None:
    bob = row(gradebook, "bob")
    assert bob[CHECK_IDS].tolist() == [1.0, 0.0, 0.0, 0.0, 0.0, 2.0]
    assert bob["auto_points"] == 1.0
    assert bob["manual_points"] == 2.0
    assert bob["total"] == 3.0
    assert bob["percent"] == 18.2  # 3 / 16.5 = 18.18...


def test_timeout_run(gradebook: pd.DataFrame) -> None:
    carol = row(gradebook, "carol")
    assert carol["status"] == "timeout"
    assert carol["run_status"] == "timeout"
    assert carol["total"] == 0.0
    assert carol["percent"] == 0.0


def test_pending_manual_item_is_nan(gradebook: pd.DataFrame) -> None:
    dave = row(gradebook, "dave")
    assert math.isnan(dave["plots"])
    assert math.isnan(dave["manual_points"])
    assert dave["total"] == 12.5
    assert dave["max_points"] == 16.5
    assert dave["pending_points"] == 4.0
    assert dave["percent"] == 75.8
    assert dave["status"] == "pending-manual"


def test_content_hash_is_shortened(gradebook: pd.DataFrame) -> None:
    assert row(gradebook, "alice")["content_hash"] == load_result("perfect").content_hash[:12]


def test_check_maxima_are_kept_in_attrs(gradebook: pd.DataFrame) -> None:
    assert gradebook.attrs[MAX_POINTS_ATTR]["model_target_loss"] == 6.0
    assert gradebook.attrs[MAX_POINTS_ATTR]["plots"] == 4.0


def test_csv_is_byte_identical_across_builds_and_input_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    export_gradebook_csv(build_gradebook(all_results()), first)
    export_gradebook_csv(build_gradebook(reversed(all_results())), second)
    assert first.read_bytes() == second.read_bytes()
    lines = first.read_text().splitlines()
    assert lines[0].startswith("student_id,linear_forward_shape,")
    assert lines[4].startswith("dave,")
    assert ",,12.5,16.5,75.8," in lines[4]  # NaN manual points are written as an empty cell


def test_float_sums_do_not_leak_noise() -> None:
    # 0.1 + 0.2 != 0.3 in floating point; the gradebook must still show 0.3
    base = load_result("perfect")
    checks = tuple(replace(c, score=v, max_score=v) for c, v in zip(base.checks[:3], (0.1, 0.2, 0.0)))
    book = build_gradebook([replace(base, checks=checks)])
    assert book["total"].iloc[0] == 0.3
    assert book["auto_points"].iloc[0] == 0.3


def test_empty_input_gives_empty_gradebook() -> None:
    book = build_gradebook([])
    assert book.empty
    assert list(book.columns)[0] == "student_id"


def test_duplicate_student_is_refused() -> None:
    with pytest.raises(ValueError, match="more than one result for student 'alice'"):
        build_gradebook([load_result("perfect"), load_result("perfect")])


def test_check_id_clashing_with_a_summary_column_is_refused() -> None:
    base = load_result("perfect")
    clash = replace(base, checks=(replace(base.checks[0], check_id="total"),))
    with pytest.raises(ValueError, match="'total' clashes"):
        build_gradebook([clash])
