"""CSV exports of a gradebook: the full instructor table, and a two-column LMS upload."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from grader.report.inert import csv_cell
from grader.atomic import write_text_atomic

#: header of the LMS upload file
LMS_COLUMNS = ("student_id", "grade")


def gradebook_csv_text(gradebook: pd.DataFrame) -> str:
    """The gradebook as CSV text: no index, "\\n" line endings, NaN as an empty cell.

    Fixed options so that the same gradebook always gives the same bytes on every platform.
    """
    return inert_csv_text(gradebook)


def inert_csv_text(frame: pd.DataFrame) -> str:
    """`frame` as CSV text in which no cell is a formula or holds a control character (see `grader.report.inert`).

    Every CSV the grader writes goes through here.
    """
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(csv_cell)
    safe.columns = [csv_cell(str(c)) for c in safe.columns]
    return safe.to_csv(index=False, lineterminator="\n", na_rep="")


def export_gradebook_csv(gradebook: pd.DataFrame, dest: Path) -> None:
    """Write the whole gradebook to `dest` as CSV, atomically (temp file + os.replace)."""
    write_text_atomic(Path(dest), gradebook_csv_text(gradebook))


def export_lms_csv(gradebook: pd.DataFrame, dest: Path, points_column: str = "total") -> None:
    """Write a ``student_id,grade`` CSV for an LMS upload, atomically.

    `points_column` picks the gradebook column used as the grade (e.g. "total" or "percent").
    A missing grade (NaN) is left empty so the LMS keeps it ungraded rather than zero.
    """
    for column in ("student_id", points_column):
        if column not in gradebook.columns:
            raise ValueError(
                f"gradebook has no column {column!r}; available: {', '.join(map(str, gradebook.columns))}"
            )
    upload = pd.DataFrame(
        {LMS_COLUMNS[0]: gradebook["student_id"].to_numpy(), LMS_COLUMNS[1]: gradebook[points_column].to_numpy()}
    )
    write_text_atomic(Path(dest), inert_csv_text(upload))
