"""A student's hand-in as found on disk."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path


def printable(name: str) -> str:
    """A file name as text that can be stored and shown: bytes that are not UTF-8 become U+FFFD.

    Names come from the file system as str with surrogate escapes for such bytes, which no UTF-8
    encoder (SQLite, JSON files, HTML) accepts.
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass(frozen=True)
class LmsIdentity:
    """Who a hand-in belongs to, as the learning-management system's download says (see grader.discover.lms)."""

    #: the LMS's own id of the student: Canvas user id, Moodle participant id, Gradescope SID
    lms_id: str
    name: str = ""
    email: str = ""
    #: "canvas", "moodle" or "gradescope"
    source: str = ""
    #: the LMS marked the hand-in late
    late: bool = False
    #: when it was handed in (ISO 8601), where the download says so
    submitted_at: str = ""
    #: which attempt was taken (Canvas resubmission suffix "-1" is attempt 1; 0 is the first upload)
    attempt: int = 0
    #: other LMS ids of a group hand-in (Gradescope groups), who share this result
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Submission:
    """One student's work: the files to grade, relative names as the student gave them."""

    student_id: str
    #: the folder or file the submission was found at
    root: Path
    #: absolute paths of the files handed in (sorted)
    files: tuple[Path, ...]
    #: the file the rubric loads (e.g. hw1.py); None when it is missing
    main_file: Path | None
    #: why this submission cannot be graded at all ("no hw1.py found"), or ""
    problem: str = ""
    #: who handed it in according to the LMS download; None for plain folders and files
    identity: LmsIdentity | None = field(default=None, compare=False)

    def content_hash(self) -> str:
        """SHA-256 over file names and bytes: changes exactly when the hand-in changes."""
        digest = hashlib.sha256()
        for path in self.files:
            digest.update(path.name.encode("utf-8", "surrogateescape") + b"\0")
            digest.update(path.read_bytes() if path.is_file() and not path.is_symlink() else b"<not a file>")
            digest.update(b"\0")
        return digest.hexdigest()
