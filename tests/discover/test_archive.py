"""`.zip` hand-ins: unpacked into a private folder when safe, otherwise a not-gradable submission saying why.

Each test builds its archive with zipfile from a list of (member name, content, file mode), so the
dangerous members (`..`, absolute paths, links) are exactly what the test says.
"""
from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from grader.discover import discover
from grader.discover import archive as archives
from grader.discover.archive import safe_relative_path

MAIN = "numpy_nn.py"
REGULAR = stat.S_IFREG | 0o644


def make_zip(path: Path, members: list[tuple[str, bytes | str, int]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        for name, data, mode in members:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            handle.writestr(info, data)
    return path


def mark_encrypted(path: Path) -> None:
    """Set the "encrypted" bit in every header (zipfile cannot write encrypted archives itself)."""
    data = bytearray(path.read_bytes())
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            data[start + flag_offset] |= 0x1
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))


def only(folder: Path):
    found = discover(folder, MAIN)
    assert len(found) == 1
    return found[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_well_formed_archive_is_graded_like_a_folder(tmp_path):
    make_zip(tmp_path / "class" / "ada lovelace.zip", [
        ("hw3/", b"", stat.S_IFDIR | 0o755),
        (f"hw3/{MAIN}", "x = 1\n", REGULAR),
        ("hw3/helpers.py", "y = 2\n", REGULAR),
        ("__MACOSX/hw3/._numpy_nn.py", b"\0\1", REGULAR),
    ])
    before = snapshot(tmp_path / "class")
    submission = only(tmp_path / "class")
    assert submission.student_id == "ada_lovelace" and not submission.problem
    assert submission.main_file.read_text() == "x = 1\n"
    assert sorted(str(p.relative_to(submission.root)) for p in submission.files) == ["hw3/helpers.py", f"hw3/{MAIN}"]
    # unpacked privately: the class folder is left exactly as it was
    assert snapshot(tmp_path / "class") == before
    assert archives.extraction_root() in submission.root.parents


def test_a_folder_holding_only_an_archive_is_unpacked(tmp_path):
    make_zip(tmp_path / "class" / "bob" / "submission.zip", [(MAIN, "x = 1\n", REGULAR)])
    submission = only(tmp_path / "class")
    assert submission.student_id == "bob" and submission.main_file.name == MAIN


def test_an_archive_inside_the_archive_is_not_unpacked(tmp_path):
    inner = make_zip(tmp_path / "inner.zip", [(MAIN, "x = 1\n", REGULAR)]).read_bytes()
    make_zip(tmp_path / "class" / "cy.zip", [("inner.zip", inner, REGULAR)])
    submission = only(tmp_path / "class")
    assert submission.main_file is None and submission.problem == f"no {MAIN} found in the archive cy.zip"


@pytest.mark.parametrize(
    "member, mode, message",
    [
        ("../../escape.py", REGULAR, "'../../escape.py', a path that points outside the archive's folder"),
        ("hw/../../escape.py", REGULAR, "a path that points outside"),
        ("/etc/cron.d/escape", REGULAR, "'/etc/cron.d/escape', a path that points outside"),
        ("..\\..\\escape.py", REGULAR, "a path that points outside"),
        ("C:/Windows/escape.py", REGULAR, "a path that points outside"),
        ("helper.py", stat.S_IFLNK | 0o777, "contains a symbolic link ('helper.py')"),
        ("fifo", stat.S_IFIFO | 0o644, "'fifo', which is not a regular file"),
        ("/".join(["d"] * 1500) + "/notes.txt", REGULAR, "a path nested more than 32 folders deep"),
    ],
    ids=["dotdot", "inner dotdot", "absolute", "backslashes", "drive", "link", "fifo", "1500 folders deep"],
)
def test_unsafe_members_make_the_archive_not_gradable(tmp_path, member, mode, message):
    make_zip(tmp_path / "class" / "eve.zip", [(MAIN, "x = 1\n", REGULAR), (member, "../control.py", mode)])
    submission = only(tmp_path / "class")
    assert submission.main_file is None and message in submission.problem
    assert submission.problem.startswith("eve.zip ")
    assert not (tmp_path / "escape.py").exists() and not (tmp_path.parent / "escape.py").exists()


def test_size_and_count_bombs_are_refused_before_unpacking(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBER_BYTES", 1024 * 1024)
    monkeypatch.setattr(archives, "MAX_TOTAL_BYTES", 3 * 1024 * 1024)
    monkeypatch.setattr(archives, "MAX_MEMBERS", 5)
    zeros = bytes(2 * 1024 * 1024)
    make_zip(tmp_path / "a" / "big.zip", [(MAIN, zeros, REGULAR)])
    make_zip(tmp_path / "b" / "many_big.zip", [(f"part{i}.bin", zeros[: 900 * 1024], REGULAR) for i in range(4)])
    make_zip(tmp_path / "c" / "many.zip", [(f"f{i}.py", "", REGULAR) for i in range(6)])
    assert "holds a file larger than 1 MiB when unpacked" in only(tmp_path / "a").problem
    assert "is larger than 3 MiB when unpacked" in only(tmp_path / "b").problem
    assert "holds more than 5 files" in only(tmp_path / "c").problem


def test_password_protected_and_broken_archives_are_explained(tmp_path):
    mark_encrypted(make_zip(tmp_path / "a" / "locked.zip", [(MAIN, "x = 1\n", REGULAR)]))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "garbage.zip").write_bytes(b"this is not a zip archive")
    assert "locked.zip is password-protected" in only(tmp_path / "a").problem
    assert "garbage.zip is not a readable zip archive" in only(tmp_path / "b").problem


def test_safe_relative_paths():
    assert str(safe_relative_path("hw/./numpy_nn.py")) == "hw/numpy_nn.py"
    assert str(safe_relative_path("hw//numpy_nn.py")) == "hw/numpy_nn.py"
    for bad in ("", "/abs", "../x", "a/../../x", "a\\..\\..\\x", "C:x", "nul\0byte", "./"):
        assert safe_relative_path(bad) is None, bad
