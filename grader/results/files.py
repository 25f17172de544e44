"""File names derived from a student id, shared by the stage that saves a student's figures and the reports.

A student id comes from a file or folder name in the class folder (or an LMS export), so it is checked
before it becomes part of a path.
"""
from __future__ import annotations

import re


def check_file_name(student_id: str) -> None:
    """Refuse an id that could name something outside the folder it is joined to."""
    if not student_id or student_id in (".", "..") or re.search(r"[/\\\x00]", student_id):
        raise ValueError(f"student id {student_id!r} cannot be used as a file name")


def student_figure_dir_name(student_id: str) -> str:
    """Folder next to the reports with the figures the student's own script drew."""
    check_file_name(student_id)
    return f"{student_id}_figures"
