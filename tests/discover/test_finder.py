"""Discovery finds flat `<student>.py` files and one folder per student, LMS-style nesting included."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.discover import DiscoveryError, discover, student_id_for

FILES = Path(__file__).parent / "files"


def test_flat_files_become_one_submission_each():
    found = discover(FILES / "flat", "numpy_nn.py")
    assert [s.student_id for s in found] == ["alice", "bob_smith", "émile_o_neil"]
    assert all(s.main_file is not None and not s.problem for s in found)


def test_folders_find_the_main_file_even_nested():
    found = {s.student_id: s for s in discover(FILES / "nested", "numpy_nn.py")}
    assert sorted(found) == ["alice", "bob", "carol"]  # __MACOSX is ignored
    assert found["alice"].main_file.name == "numpy_nn.py"
    assert found["bob"].main_file.name == "my_solution.py"  # the only Python file
    assert found["carol"].main_file is None
    assert found["carol"].problem == "no numpy_nn.py found in the folder carol"


def test_duplicate_student_ids_are_refused():
    with pytest.raises(DiscoveryError, match="two submissions .* map to the student id 'alice'"):
        discover(FILES / "duplicates", "numpy_nn.py")


def test_empty_and_missing_folders_are_explained(tmp_path):
    with pytest.raises(DiscoveryError, match="no submissions in"):
        discover(FILES / "empty", "numpy_nn.py")
    with pytest.raises(DiscoveryError, match="submissions folder not found"):
        discover(tmp_path / "nope", "numpy_nn.py")


def test_content_hash_changes_with_content(tmp_path):
    (tmp_path / "a.py").write_text("x = 1")
    before = discover(tmp_path, "numpy_nn.py")[0].content_hash()
    (tmp_path / "a.py").write_text("x = 2")
    assert discover(tmp_path, "numpy_nn.py")[0].content_hash() != before


def test_student_ids_are_safe_file_names():
    assert student_id_for("../../etc/passwd") == "etc_passwd"
    assert student_id_for("bad\udcffname") == "bad_name"
    assert len(student_id_for("x" * 500)) == 80


def test_notebooks_are_found_flat_and_in_folders(tmp_path):
    (tmp_path / "ada.ipynb").write_text("{}")
    (tmp_path / "ada.pdf").write_text("a print of the notebook")  # not a submission of its own
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "hw7.ipynb").write_text("{}")
    (tmp_path / "bob" / "hw7_support.py").write_text("")
    (tmp_path / "cy").mkdir()
    (tmp_path / "cy" / "my_homework.ipynb").write_text("{}")  # the only notebook of the folder
    found = {s.student_id: s for s in discover(tmp_path, "hw7.ipynb")}
    assert sorted(found) == ["ada", "bob", "cy"]
    assert found["ada"].main_file.name == "ada.ipynb"
    assert found["bob"].main_file.name == "hw7.ipynb" and len(found["bob"].files) == 2
    assert found["cy"].main_file.name == "my_homework.ipynb"


def test_a_folder_nested_thousands_deep_does_not_stop_discovery(tmp_path):
    import os

    from grader.sandbox.cleanup import remove_tree

    for student in ("ada", "bob"):
        (tmp_path / student).mkdir()
        (tmp_path / student / "numpy_nn.py").write_text("x = 1\n")
    parent = os.open(tmp_path / "bob", os.O_RDONLY)
    try:
        for _ in range(1200):  # deeper than Path.rglob can recurse
            os.mkdir("d", dir_fd=parent)
            child = os.open("d", os.O_RDONLY, dir_fd=parent)
            os.close(parent)
            parent = child
        os.close(parent)
        found = discover(tmp_path, "numpy_nn.py")
        assert [(s.student_id, s.problem, len(s.files)) for s in found] == [("ada", "", 1), ("bob", "", 1)]
    finally:
        # pytest removes old temporary folders with shutil.rmtree, which this tree would stop by recursion
        remove_tree(tmp_path / "bob" / "d")
