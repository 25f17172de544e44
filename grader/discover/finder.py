"""Find every student's work in a folder: `<student>.py` files or one folder per student.

LMS bulk downloads often nest a student's files a level or two deep; the main file is the shallowest file
with the rubric's expected name, or the only Python file of the folder.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from grader.discover.submission import Submission

IGNORED = {"__pycache__", ".ipynb_checkpoints", ".git", "__MACOSX"}
MAX_FILES = 200


class DiscoveryError(Exception):
    """The submissions folder cannot be graded as given (missing, empty, ambiguous ids)."""


def student_id_for(name: str) -> str:
    """A readable, filesystem-safe id from a file or folder name (non-UTF-8 and odd characters replaced)."""
    text = unicodedata.normalize("NFKC", name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    text = re.sub(r"[^\w.-]+", "_", text).strip("._") or "student"
    return text[:80]


def discover(folder: Path, main_file: str) -> list[Submission]:
    """All submissions under `folder`, sorted by student id; raises DiscoveryError for unusable input."""
    if not folder.is_dir():
        raise DiscoveryError(f"submissions folder not found: {folder}")
    found: list[Submission] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name in IGNORED:
            continue
        if entry.is_dir() and not entry.is_symlink():
            found.append(_from_folder(entry, main_file))
        elif entry.suffix == ".py" or entry.is_symlink():
            found.append(_from_file(entry, main_file))
    if not found:
        raise DiscoveryError(f"no submissions in {folder}: expected <student>.py files or one folder per student")
    _check_unique(found, folder)
    return found


def _from_file(path: Path, main_file: str) -> Submission:
    problem = ""
    if path.is_symlink():
        problem = f"{path.name} is a symbolic link; hand in the file itself"
    return Submission(student_id_for(path.stem), path, (path,), None if problem else path, problem)


def _from_folder(folder: Path, main_file: str) -> Submission:
    files = []
    for path in sorted(folder.rglob("*")):
        if any(part in IGNORED or part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if path.is_file() or path.is_symlink():
            files.append(path)
        if len(files) >= MAX_FILES:
            break
    candidates = sorted((p for p in files if p.name == main_file and not p.is_symlink()), key=lambda p: len(p.parts))
    python_files = [p for p in files if p.suffix == ".py" and not p.is_symlink()]
    main = candidates[0] if candidates else (python_files[0] if len(python_files) == 1 else None)
    problem = "" if main else f"no {main_file} found in the folder {folder.name}"
    return Submission(student_id_for(folder.name), folder, tuple(files), main, problem)


def _check_unique(found: list[Submission], folder: Path) -> None:
    seen: dict[str, Path] = {}
    for submission in found:
        if submission.student_id in seen:
            raise DiscoveryError(
                f"two submissions in {folder} map to the student id '{submission.student_id}': "
                f"{seen[submission.student_id].name} and {submission.root.name}; rename one of them"
            )
        seen[submission.student_id] = submission.root
