"""Moodle and Gradescope downloads through grading into the Moodle worksheet and Brightspace's import."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from grader.discover.lms import LmsOptions
from grader.discover.roster import parse_columns
from grader.export.lms_formats import export_grades
from grader.run import grade

FILES = Path(__file__).parent / "files"
SAMPLES = Path(__file__).parent.parent / "samples" / "bench_layers" / "class"
pytestmark = pytest.mark.slow


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(open(path, newline="", encoding="utf-8")))


def test_moodle_download_to_grading_worksheet(tmp_path):
    download = tmp_path / "download"
    for row in rows(FILES / "moodle_class_manifest.csv"):
        (download / row["folder"]).mkdir(parents=True)
        shutil.copyfile(SAMPLES / row["sample"], download / row["folder"] / "layers.py")
    book = grade(download, "bench_layers", tmp_path / "out", jobs=2,
                 lms=LmsOptions(roster=FILES / "moodle_class_roster.csv"))
    assert list(book["status"]) == ["graded", "graded", "missing"]
    summary = export_grades(tmp_path / "out", tmp_path / "moodle.csv", "moodle")
    sheet = rows(tmp_path / "moodle.csv")
    assert [(r["Identifier"], r["Grade"], r["Status"]) for r in sheet] == [
        ("Participant 7001", "10", "Submitted for grading"), ("Participant 7002", "8", "Submitted for grading"),
        ("Participant 7003", "", "No submission")]
    assert summary.missing == ("7003",)


def test_gradescope_export_to_brightspace_with_a_late_penalty(tmp_path):
    download = tmp_path / "download"
    download.mkdir()
    shutil.copyfile(FILES / "gradescope_class_metadata.yml", download / "submission_metadata.yml")
    for folder, sample in (("submission_801", "ada_correct.py"), ("submission_802", "ada_correct.py")):
        (download / folder).mkdir()
        shutil.copyfile(SAMPLES / sample, download / folder / "layers.py")
    home = tmp_path / "home"  # the assignment with a late policy added to its rubric
    checkout = Path(__file__).parents[2]
    shutil.copytree(checkout / "rubrics", home / "rubrics")
    for part in ("reference", "probes"):  # links: the sandbox sees the checkout, not this private /tmp folder
        (home / part).symlink_to(checkout / part)
    with open(home / "rubrics" / "bench_layers.toml", "a", encoding="utf-8") as rubric:
        rubric.write('\n[late]\npolicy = "per_day"\npenalty_per_day = 0.1\nmax_penalty = 0.3\n'
                     'due = "2026-11-30T23:59:00-08:00"\n')
    columns = parse_columns("id=OrgDefinedId,org_defined_id=OrgDefinedId,username=Username,name=Name,email=Email")
    mp = pytest.MonkeyPatch()
    mp.setenv("GRADER_HOME", str(home))
    try:
        book = grade(download, "bench_layers", tmp_path / "out", jobs=2,
                     lms=LmsOptions(roster=FILES / "gradescope_class_roster.csv", roster_columns=tuple(columns.items())))
    finally:
        mp.undo()
    assert list(book["late"]) == ["", "2 d"]  # handed in 2026-12-02 09:00, due 2026-11-30 23:59
    assert list(book["total"]) == [10.0, 8.0]
    export_grades(tmp_path / "out", tmp_path / "d2l.csv", "brightspace", item="Layers")
    assert (tmp_path / "d2l.csv").read_text().splitlines() == [
        "OrgDefinedId,Username,Layers Points Grade,End-of-Line Indicator", "1815,alovelace,10,#", "1900,bsmith,8,#"]
