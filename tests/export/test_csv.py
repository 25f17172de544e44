"""CSV exports: full gradebook, LMS upload."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from grader.export import export_gradebook_csv, export_lms_csv
from grader.report.gradebook import build_gradebook
from tests.report.fixtures import all_results


@pytest.fixture(scope="module")
def gradebook() -> pd.DataFrame:
    return build_gradebook(all_results())


def test_gradebook_csv_reads_back(tmp_path: Path, gradebook: pd.DataFrame) -> None:
    dest = tmp_path / "gradebook.csv"
    export_gradebook_csv(gradebook, dest)
    back = pd.read_csv(dest)
    assert list(back.columns) == list(gradebook.columns)
    assert back["total"].tolist() == [16.5, 3.0, 0.0, 12.5]
    assert b"\r\n" not in dest.read_bytes()


def test_gradebook_csv_overwrites_atomically(tmp_path: Path, gradebook: pd.DataFrame) -> None:
    dest = tmp_path / "gradebook.csv"
    dest.write_text("stale")
    export_gradebook_csv(gradebook, dest)
    assert dest.read_text().startswith("student_id,")
    assert [p.name for p in tmp_path.iterdir()] == ["gradebook.csv"]


def test_lms_csv_has_id_and_grade_only(tmp_path: Path, gradebook: pd.DataFrame) -> None:
    dest = tmp_path / "lms.csv"
    export_lms_csv(gradebook, dest)
    assert dest.read_text() == "student_id,grade\nalice,16.5\nbob,3.0\ncarol,0.0\ndave,12.5\n"


def test_lms_csv_other_column_and_missing_grades(tmp_path: Path, gradebook: pd.DataFrame) -> None:
    dest = tmp_path / "lms.csv"
    export_lms_csv(gradebook, dest, points_column="manual_points")
    assert dest.read_text().splitlines()[-1] == "dave,"  # pending: left empty, not zero


def test_lms_csv_unknown_column(tmp_path: Path, gradebook: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="no column 'grade_total'"):
        export_lms_csv(gradebook, tmp_path / "lms.csv", points_column="grade_total")

