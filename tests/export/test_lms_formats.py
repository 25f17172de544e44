"""LMS exports match samples written from each LMS's import documentation (docs/lms.md)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.discover.roster import ROSTER_FILE, load_roster, write_roster
from grader.export.cells import points_cell, text_cell
from grader.export.lms_formats import ExportError, export_grades

FILES = Path(__file__).parent / "files"


@pytest.fixture
def results(tmp_path) -> Path:
    """A run's output folder as `grader run --roster` leaves it."""
    folder = tmp_path / "grading" / "numpy_nn"
    folder.mkdir(parents=True)
    shutil.copyfile(FILES / "gradebook_with_roster.csv", folder / "gradebook.csv")
    write_roster(load_roster(FILES / "roster.csv"), folder / ROSTER_FILE)
    return tmp_path / "grading"


@pytest.mark.parametrize("fmt, item", [("canvas", "Assignment C (4711)"), ("brightspace", "Assignment C")])
def test_exports_match_the_documented_samples(results, tmp_path, fmt, item):
    summary = export_grades(results, tmp_path / "out.csv", fmt, item=item)
    assert (tmp_path / "out.csv").read_text() == (FILES / f"expected_{fmt}.csv").read_text()
    assert summary.pending_withheld == ("4022",)  # held back: its manual item is not graded yet
    assert summary.missing == ("4024",) and summary.not_in_roster == ("leeann_4023",)


def test_moodle_worksheet_with_pending_allowed(results, tmp_path):
    summary = export_grades(results, tmp_path / "out.csv", "moodle", allow_pending=True)
    assert (tmp_path / "out.csv").read_text() == (FILES / "expected_moodle.csv").read_text()
    assert summary.pending_exported == ("4022",) and summary.pending_withheld == ()


def test_own_csv_keeps_status(results, tmp_path):
    export_grades(results, tmp_path / "out.csv", "csv")
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0] == "id,name,email,section,status,grade,max_points"
    assert lines[3].startswith("4024,") and ",missing,," in lines[3]


def test_a_gradebook_without_roster_is_refused(tmp_path):
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "gradebook.csv").write_text("student_id,total\na,1\n")
    write_roster(load_roster(FILES / "roster.csv"), folder / ROSTER_FILE)
    with pytest.raises(ExportError, match="grade with --roster"):
        export_grades(folder, tmp_path / "o.csv", "canvas")


def test_cells():
    assert text_cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert text_cell("@SUM(1)") == "'@SUM(1)" and text_cell("Doe, Jane") == "Doe, Jane"
    assert points_cell(27.50) == "27.5" and points_cell(-0.0) == "0" and points_cell(float("nan")) == ""
