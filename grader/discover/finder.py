"""Find every student's work in a folder: `<student>.py` files, `<student>.zip` archives or one folder per student.

LMS bulk downloads often nest a student's files a level or two deep; the main file is the shallowest file
with the rubric's expected name, or the only file of the folder with its suffix (.py, or .ipynb for a
notebook assignment; flat files are taken by that suffix too). A `.zip` hand-in (or a folder
holding only one `.zip`) is unpacked safely first (see `archive`); an unsafe one is not gradable.
"""
from __future__ import annotations

from pathlib import Path

from grader.discover.handin import IGNORED, from_archive, from_file, from_folder, student_id_for
from grader.discover.submission import Submission, printable



class DiscoveryError(Exception):
    """The submissions folder cannot be graded as given (missing, empty, ambiguous ids)."""


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
            found.append(from_folder(entry, main_file))
        elif entry.suffix.lower() == ".zip" and not entry.is_symlink():
            found.append(from_archive(entry, main_file, student_id_for(entry.stem)))
        elif entry.suffix == Path(main_file).suffix or entry.is_symlink():  # <student>.py, <student>.ipynb
            found.append(from_file(entry, main_file))
    if not found:
        raise DiscoveryError(f"no submissions in {folder}: expected <student>.py files, <student>.zip archives or one folder per student")
    _check_unique(found, folder)
    return found


def _check_unique(found: list[Submission], folder: Path) -> None:
    seen: dict[str, Path] = {}
    for submission in found:
        if submission.student_id in seen:
            raise DiscoveryError(
                f"two submissions in {folder} map to the student id '{submission.student_id}': "
                f"{printable(seen[submission.student_id].name)} and {printable(submission.root.name)}; rename one of them"
            )
        seen[submission.student_id] = submission.root
