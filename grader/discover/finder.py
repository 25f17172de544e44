"""Find every student's work in a folder: `<student>.py` files, `<student>.zip` archives or one folder per student.

LMS bulk downloads often nest a student's files a level or two deep; the main file is the shallowest file
with the rubric's expected name, or the only file of the folder with its suffix (.py, or .ipynb for a
notebook assignment; flat files are taken by that suffix too). A `.zip` hand-in (or a folder
holding only one `.zip`) is unpacked safely first (see `archive`); an unsafe one is not gradable.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from grader.discover.archive import ArchiveRefused, unpack
from grader.discover.submission import Submission, printable

IGNORED = {"__pycache__", ".ipynb_checkpoints", ".git", "__MACOSX"}
MAX_FILES = 200


class DiscoveryError(Exception):
    """The submissions folder cannot be graded as given (missing, empty, ambiguous ids)."""


def student_id_for(name: str) -> str:
    """A readable, filesystem-safe id from a file or folder name (non-UTF-8 and odd characters replaced)."""
    text = unicodedata.normalize("NFKC", name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    text = re.sub(r"[^\w.-]+", "_", text).strip("._") or "student"
    return text[:80]


def discover(folder: Path, main_file: str, layout: str = "auto", attempt: str = "latest") -> list[Submission]:
    """All submissions under `folder`, sorted by student id; raises DiscoveryError for unusable input.

    `folder` may also be an LMS bulk download as a .zip (Canvas's submissions.zip). `layout` is "auto"
    (recognise Canvas, Moodle and Gradescope downloads, else plain files and folders), one of those
    three names, or "plain"; `attempt` ("latest" or "first") picks among a student's several uploads.
    """
    from grader.discover.lms import LmsLayoutError, detect_layout, discover_lms, open_bulk_download

    try:
        folder = open_bulk_download(folder)
        chosen = detect_layout(folder) if layout == "auto" and folder.is_dir() else layout
        if chosen not in ("auto", "plain", ""):
            found = discover_lms(folder, main_file, chosen, attempt)
            if not found:
                raise DiscoveryError(f"no submissions in the {chosen} download {folder}")
            _check_unique(found, folder)
            return found
    except LmsLayoutError as exc:
        raise DiscoveryError(str(exc)) from None
    if folder.exists() and not folder.is_dir():
        raise DiscoveryError(f"{folder} is a file, not a folder: pass the folder that holds the submissions")
    if not folder.is_dir():
        raise DiscoveryError(f"submissions folder not found: {folder}")
    found: list[Submission] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name in IGNORED:
            continue
        if entry.is_dir() and not entry.is_symlink():
            found.append(_from_folder(entry, main_file))
        elif entry.suffix.lower() == ".zip" and not entry.is_symlink():
            found.append(_from_archive(entry, main_file, student_id_for(entry.stem)))
        elif entry.suffix == Path(main_file).suffix or entry.is_symlink():  # <student>.py, <student>.ipynb
            found.append(_from_file(entry, main_file))
    if not found:
        raise DiscoveryError(f"no submissions in {folder}: expected <student>.py files, <student>.zip archives or one folder per student")
    _check_unique(found, folder)
    return found


def _from_file(path: Path, main_file: str) -> Submission:
    problem = ""
    if path.is_symlink():
        problem = f"{printable(path.name)} is a symbolic link; hand in the file itself"
    return Submission(student_id_for(path.stem), path, (path,), None if problem else path, problem)


def _from_folder(folder: Path, main_file: str, unpack_archives: bool = True) -> Submission:
    files = []
    for path in sorted(folder.rglob("*")):
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
        return _from_archive(archives[0], main_file, student_id_for(folder.name))
    problem = "" if main else _missing_main(files, main_file, printable(folder.name))
    return Submission(student_id_for(folder.name), folder, tuple(files), main, problem)


def _missing_main(files: list[Path], main_file: str, where: str) -> str:
    """Why no main file was found; a symbolic link named like it gets its own explanation (it is never followed)."""
    if any(p.name == main_file and p.is_symlink() for p in files):
        return f"{main_file} in the folder {where} is a symbolic link; hand in the file itself"
    return f"no {main_file} found in the folder {where}"


def _from_archive(archive: Path, main_file: str, student_id: str) -> Submission:
    """A submission from a .zip: the unpacked folder, or a not-gradable one saying why it was refused."""
    try:
        folder = unpack(archive)
    except ArchiveRefused as refused:
        return Submission(student_id, archive, (archive,), None, str(refused))
    # never an archive inside the archive: one level only, so nested (or self-containing) zips cannot recurse
    found = _from_folder(folder, main_file, unpack_archives=False)
    problem = found.problem.replace(f"the folder {printable(folder.name)}", f"the archive {printable(archive.name)}")
    return Submission(student_id, folder, found.files, found.main_file, problem)


def _check_unique(found: list[Submission], folder: Path) -> None:
    seen: dict[str, Path] = {}
    for submission in found:
        if submission.student_id in seen:
            raise DiscoveryError(
                f"two submissions in {folder} map to the student id '{submission.student_id}': "
                f"{printable(seen[submission.student_id].name)} and {printable(submission.root.name)}; rename one of them"
            )
        seen[submission.student_id] = submission.root
