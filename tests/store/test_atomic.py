"""write_atomic: whole files or nothing, no temporary files left behind."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader import atomic
from grader.atomic import write_atomic, write_text_atomic


def test_writes_and_replaces(tmp_path: Path) -> None:
    dest = tmp_path / "sub" / "report.md"
    write_text_atomic(dest, "first\n")
    write_text_atomic(dest, "second\n")
    assert dest.read_text() == "second\n"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["report.md"]


def test_failure_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "gradebook.csv"
    write_atomic(dest, b"old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(dest, b"new")
    assert dest.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["gradebook.csv"]
