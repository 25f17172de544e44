"""One student's hand-in as a `Submission`: a file, a folder (the main file may sit a level or two deep) or a
`.zip` archive, unpacked safely (see `archive`). Used by plain discovery (`finder`) and LMS layouts (`lms`).
"""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from grader.discover.archive import ArchiveRefused, unpack
from grader.discover.submission import Submission, printable

IGNORED = {"__pycache__", ".ipynb_checkpoints", ".git", "__MACOSX"}
MAX_FILES = 200
#: files nested deeper than this inside a student's folder are not looked at
MAX_DEPTH = 32


def student_id_for(name: str) -> str:
    """A readable, filesystem-safe id from a file or folder name (non-UTF-8 and odd characters replaced)."""
    text = unicodedata.normalize("NFKC", name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    text = re.sub(r"[^\w.-]+", "_", text).strip("._") or "student"
    return text[:80]


def from_file(path: Path, main_file: str) -> Submission:
    """A flat `<student>.py` (or `.ipynb`) hand-in; a symbolic link is not gradable (it is never followed)."""
    problem = ""
    if path.is_symlink():
        problem = f"{printable(path.name)} is a symbolic link; hand in the file itself"
    return Submission(student_id_for(path.stem), path, (path,), None if problem else path, problem)


def from_folder(folder: Path, main_file: str, unpack_archives: bool = True) -> Submission:
    """A student's folder: its files and the main file among them (a lone .zip inside is unpacked)."""
    files = []
    for path in sorted(_walk(folder)):
        if any(part in IGNORED or part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if path.is_file() or path.is_symlink():
            files.append(path)
        if len(files) >= MAX_FILES:
            break
    candidates = sorted((p for p in files if p.name == main_file and not p.is_symlink()), key=lambda p: len(p.parts))
    # files of the main file's kind (.py, .ipynb): the only one of them is the main file under any name
    python_files = [p for p in files if p.suffix == Path(main_file).suffix and not p.is_symlink()]
    main = candidates[0] if candidates else (python_files[0] if len(python_files) == 1 else None)
    archives = [p for p in files if p.suffix.lower() == ".zip" and not p.is_symlink()]
    if unpack_archives and main is None and not python_files and len(archives) == 1:
        # LMS downloads often wrap each student's own .zip in a folder named after the student
        return from_archive(archives[0], main_file, student_id_for(folder.name))
    problem = "" if main else _missing_main(files, main_file, printable(folder.name))
    return Submission(student_id_for(folder.name), folder, tuple(files), main, problem)


def _walk(folder: Path) -> list[Path]:
    """Everything under `folder` down to MAX_DEPTH levels, without following links and without recursion
    (Path.rglob recurses once per level: a hand-in nested a thousand folders deep stopped the whole class)."""
    found: list[Path] = []
    stack = [(folder, 0)]
    while stack:
        directory, depth = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            found.append(path)
            try:
                skipped = entry.name in IGNORED or entry.name.startswith(".")  # filtered out below anyway
                if depth < MAX_DEPTH and not skipped and entry.is_dir(follow_symlinks=False):
                    stack.append((path, depth + 1))
            except OSError:
                pass
    return found


def _missing_main(files: list[Path], main_file: str, where: str) -> str:
    """Why no main file was found; a symbolic link named like it gets its own explanation (it is never followed)."""
    if any(p.name == main_file and p.is_symlink() for p in files):
        return f"{main_file} in the folder {where} is a symbolic link; hand in the file itself"
    return f"no {main_file} found in the folder {where}"


def from_archive(archive: Path, main_file: str, student_id: str) -> Submission:
    """A submission from a .zip: the unpacked folder, or a not-gradable one saying why it was refused."""
    try:
        folder = unpack(archive)
    except ArchiveRefused as refused:
        return Submission(student_id, archive, (archive,), None, str(refused))
    # never an archive inside the archive: one level only, so nested (or self-containing) zips cannot recurse
    found = from_folder(folder, main_file, unpack_archives=False)
    problem = found.problem.replace(f"the folder {printable(folder.name)}", f"the archive {printable(archive.name)}")
    return Submission(student_id, folder, found.files, found.main_file, problem)
