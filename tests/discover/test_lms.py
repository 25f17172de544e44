"""LMS bulk downloads (Canvas, Moodle, Gradescope) are recognised and read as one submission per student."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from grader.discover import discover
from grader.discover.lms import detect_layout

LMS = Path(__file__).parent / "files" / "lms"


def _canvas_zip(tmp_path: Path) -> Path:
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted((LMS / "canvas").iterdir()):
            handle.write(path, path.name)
    return archive


def test_layouts_are_recognised():
    assert detect_layout(LMS / "canvas") == "canvas"
    assert detect_layout(LMS / "moodle") == "moodle"
    assert detect_layout(LMS / "gradescope") == "gradescope"
    assert detect_layout(Path(__file__).parent / "files" / "flat") == ""


def test_canvas_bulk_zip_one_submission_per_user_with_original_names(tmp_path):
    found = {s.student_id: s for s in discover(_canvas_zip(tmp_path), "numpy_nn.py")}
    assert sorted(found) == ["doejane_4021", "leeann_4023", "smithbob_4022"]
    jane = found["doejane_4021"]
    assert jane.identity.lms_id == "4021" and jane.identity.source == "canvas"
    assert [p.name for p in jane.files] == ["numpy_nn.py"]  # three uploads of one file: one counts
    assert "third upload" in jane.main_file.read_text()  # numpy_nn-2.py is the latest
    assert jane.identity.attempt == 2 and not jane.identity.late
    bob = found["smithbob_4022"]
    assert bob.identity.late
    assert sorted(p.name for p in bob.files) == ["helpers.py", "numpy_nn.py"]  # importable under its own name
    assert found["leeann_4023"].main_file is None
    assert "no numpy_nn.py" in found["leeann_4023"].problem


def test_canvas_first_attempt_when_asked():
    found = {s.student_id: s for s in discover(LMS / "canvas", "numpy_nn.py", attempt="first")}
    assert "first upload" in found["doejane_4021"].main_file.read_text()


def test_the_download_itself_is_left_as_given(tmp_path):
    copy = tmp_path / "canvas"
    shutil.copytree(LMS / "canvas", copy)
    before = sorted(p.name for p in copy.iterdir())
    discover(copy, "numpy_nn.py")
    assert sorted(p.name for p in copy.iterdir()) == before


def test_moodle_folders_merge_per_participant():
    found = {s.student_id: s for s in discover(LMS / "moodle", "numpy_nn.py")}
    assert sorted(found) == ["Jane_Doe_130001", "Émile_O_Neil_130002"]
    jane = found["Jane_Doe_130001"]
    assert jane.identity.lms_id == "130001" and jane.identity.name == "Jane Doe"
    assert sorted(p.name for p in jane.files) == ["numpy_nn.py", "onlinetext.html"]
    assert found["Émile_O_Neil_130002"].main_file.name == "numpy_nn.py"  # nested a level deeper


def test_moodle_without_folders(tmp_path):
    (tmp_path / "Jane Doe_130001_assignsubmission_file_numpy_nn.py").write_text("x = 1\n")
    (found,) = discover(tmp_path, "numpy_nn.py")
    assert found.identity.lms_id == "130001" and found.main_file.name == "numpy_nn.py"


def test_gradescope_export_reads_submitters_and_time():
    found = {s.student_id: s for s in discover(LMS / "gradescope", "numpy_nn.py")}
    assert sorted(found) == ["Bob_Smith_2002", "Jane_Doe_2001"]
    jane = found["Jane_Doe_2001"]
    assert jane.identity.email == "jane.doe@example.edu"
    assert jane.identity.submitted_at.startswith("2026-11-30")
    assert found["Bob_Smith_2002"].identity.members == ("2003",)


def test_broken_gradescope_metadata_is_an_input_error(tmp_path):
    from grader.discover import DiscoveryError

    (tmp_path / "submission_metadata.yml").write_text("submission_1: [unclosed\n")
    with pytest.raises(DiscoveryError, match="submission_metadata.yml cannot be read"):
        discover(tmp_path, "numpy_nn.py")
