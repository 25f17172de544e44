"""Bulk downloads of learning-management systems: Canvas, Moodle and Gradescope, as they come.

Each LMS names hand-ins its own way (docs/lms.md cites the documentation of each):

- **Canvas** ("Download Submissions", a `submissions.zip`): one flat folder, every file renamed to
  `<name>_<user id>_<submission id>_<original name>`, with `late` after the name when Canvas marked the
  hand-in late (`<name>_late_<user id>_...`). A file uploaded again under the same name gets a numeric
  suffix from Canvas (`hw1-1.py`, `hw1-2.py`): those are attempts of one file.
- **Moodle** ("Download all submissions"): one folder per student, `<Full Name>_<participant id>_assignsubmission_file_`
  (an `_assignsubmission_onlinetext_` folder may sit beside it), or, without folders, the same prefix
  before each file name.
- **Gradescope** ("Export Submissions"): `submission_metadata.yml` beside one `submission_<id>` folder per
  hand-in; the metadata names the submitters (name, SID, email) and the time of the hand-in.

Every student's files are gathered into a folder of their own with the original file names (the
student's modules import each other by those names), inside the grader's private extraction folder;
the class's download is never changed. The result is an ordinary `Submission` that carries an
`LmsIdentity`, so grading itself does not know where a hand-in came from.
"""
from __future__ import annotations

import hashlib
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from grader.discover.archive import extraction_root
from grader.discover.submission import LmsIdentity, Submission, printable

LAYOUTS = ("canvas", "moodle", "gradescope")
GRADESCOPE_METADATA = "submission_metadata.yml"

_CANVAS = re.compile(r"^(?P<name>[^_]+)(?P<late>_late)?_(?P<user>\d+)_(?P<sub>\d+)_(?P<original>.+)$", re.IGNORECASE)
# Canvas numbers a re-uploaded file of the same name: "hw1-1.py" is the second upload of hw1.py
_RESUBMISSION = re.compile(r"^(?P<stem>.+?)-(?P<n>\d+)(?P<suffix>\.[^.]*)?$")
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assign(?:submission|feedback)_(?P<plugin>[a-z]+)_(?P<rest>.*)$")


class LmsLayoutError(Exception):
    """A download that looks like an LMS layout but cannot be read (e.g. malformed metadata)."""


@dataclass(frozen=True)
class _File:
    """One file of a bulk download, attributed to a student."""

    path: Path
    #: the name the student gave it (LMS prefix and attempt suffix removed)
    name: str
    attempt: int = 0


def detect_layout(folder: Path) -> str:
    """"canvas", "moodle", "gradescope" or "" (a plain folder: `<student>.py` files or one folder each)."""
    if (folder / GRADESCOPE_METADATA).is_file():
        return "gradescope"
    entries = [e for e in folder.iterdir() if not e.name.startswith(".") and e.name != "__MACOSX"]
    if not entries:
        return ""
    if any(_MOODLE.match(e.name) for e in entries):
        return "moodle"
    files = [e for e in entries if e.is_file()]
    canvas = [f for f in files if _CANVAS.match(f.name)]
    # most files named the Canvas way (an instructor's README beside them is no reason to give up)
    if canvas and len(canvas) * 2 > len(files):
        return "canvas"
    return ""


def discover_lms(folder: Path, main_file: str, layout: str, attempt: str = "latest") -> list[Submission]:
    """One Submission per student of an LMS download, sorted by student id.

    `attempt` is "latest" (the default: the last upload of each file counts) or "first".
    """
    if attempt not in ("latest", "first"):
        raise ValueError(f"attempt must be 'latest' or 'first', not {attempt!r}")
    readers = {"canvas": _canvas, "moodle": _moodle, "gradescope": _gradescope}
    if layout not in readers:
        raise ValueError(f"unknown LMS layout {layout!r}; known: {', '.join(LAYOUTS)}")
    grouped = readers[layout](folder, attempt == "latest")
    staging = _staging_root(folder, layout)
    found = [_submission(staging, student_id, identity, files, main_file) for student_id, (identity, files) in grouped.items()]
    return sorted(found, key=lambda s: s.student_id)


# ---------------------------------------------------------------------------------------------- Canvas


def _canvas(folder: Path, latest: bool) -> dict[str, tuple[LmsIdentity, list[_File]]]:
    by_user: dict[str, list[tuple[re.Match, Path]]] = defaultdict(list)
    for path in sorted(folder.iterdir()):
        match = _CANVAS.match(path.name)
        if match and (path.is_file() or path.is_dir()) and not path.is_symlink():
            by_user[match["user"]].append((match, path))
    grouped = {}
    for user, matches in by_user.items():
        name = matches[0][0]["name"]
        late = any(m["late"] for m, _ in matches)
        files = [_canvas_file(m, p) for m, p in matches]
        chosen = _one_per_name(files, latest)
        identity = LmsIdentity(lms_id=user, name=name, source="canvas", late=late,
                               attempt=max((f.attempt for f in chosen), default=0))
        grouped[_student_id(f"{name}_{user}")] = (identity, chosen)
    return grouped


def _canvas_file(match: re.Match, path: Path) -> _File:
    original = match["original"]
    resubmitted = _RESUBMISSION.match(original)
    if resubmitted:
        return _File(path, resubmitted["stem"] + (resubmitted["suffix"] or ""), int(resubmitted["n"]))
    return _File(path, original, 0)


def _one_per_name(files: list[_File], latest: bool) -> list[_File]:
    """Of several attempts at one file name, the latest (or the first)."""
    by_name: dict[str, list[_File]] = defaultdict(list)
    for file in files:
        by_name[file.name].append(file)
    pick = max if latest else min
    return [pick(group, key=lambda f: f.attempt) for _, group in sorted(by_name.items())]


# ---------------------------------------------------------------------------------------------- Moodle


def _moodle(folder: Path, latest: bool) -> dict[str, tuple[LmsIdentity, list[_File]]]:
    grouped: dict[str, tuple[LmsIdentity, list[_File]]] = {}
    for entry in sorted(folder.iterdir()):
        match = _MOODLE.match(entry.name)
        if not match or entry.is_symlink():
            continue
        student_id = _student_id(f"{match['name']}_{match['id']}")
        identity = LmsIdentity(lms_id=match["id"], name=match["name"], source="moodle")
        _, files = grouped.setdefault(student_id, (identity, []))
        if entry.is_dir():
            for path in sorted(entry.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    files.append(_File(path, str(path.relative_to(entry))))
        elif entry.is_file() and match["rest"]:
            files.append(_File(entry, match["rest"]))
    return grouped


# ---------------------------------------------------------------------------------------------- Gradescope


def _gradescope(folder: Path, latest: bool) -> dict[str, tuple[LmsIdentity, list[_File]]]:
    import yaml  # only Gradescope exports need it

    try:
        metadata = yaml.safe_load((folder / GRADESCOPE_METADATA).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise LmsLayoutError(f"{folder / GRADESCOPE_METADATA} cannot be read: {exc}") from None
    if not isinstance(metadata, dict):
        raise LmsLayoutError(f"{folder / GRADESCOPE_METADATA} does not map submission folders to their metadata")
    grouped = {}
    for key, entry in sorted(metadata.items(), key=lambda item: str(item[0])):
        submitters = _field(entry, "submitters") or []
        if not isinstance(submitters, list) or not submitters or not isinstance(submitters[0], dict):
            raise LmsLayoutError(f"{GRADESCOPE_METADATA}: {key} names no submitters")
        people = [{k.lstrip(":"): v for k, v in s.items()} for s in submitters if isinstance(s, dict)]
        first = people[0]
        sid = str(first.get("sid") or first.get("email") or key)
        identity = LmsIdentity(
            lms_id=sid, name=str(first.get("name") or ""), email=str(first.get("email") or ""), source="gradescope",
            submitted_at=str(_field(entry, "created_at") or ""),
            members=tuple(str(p.get("sid") or p.get("email") or "") for p in people[1:]),
        )
        root = folder / str(key)
        files = [_File(p, str(p.relative_to(root))) for p in sorted(root.rglob("*"))
                 if root.is_dir() and p.is_file() and not p.is_symlink()]
        grouped[_student_id(f"{identity.name}_{sid}" if identity.name else sid)] = (identity, files)
    return grouped


def _field(entry: object, name: str) -> object:
    """A field of Gradescope's metadata, written with a leading colon (Ruby symbols) or without."""
    if not isinstance(entry, dict):
        return None
    return entry.get(f":{name}", entry.get(name))


# ---------------------------------------------------------------------------------------------- staging


def _student_id(text: str) -> str:
    from grader.discover.handin import student_id_for

    return student_id_for(text)


def _staging_root(folder: Path, layout: str) -> Path:
    digest = hashlib.sha256(f"{layout}:{folder.resolve()}".encode("utf-8", "surrogateescape")).hexdigest()[:16]
    root = extraction_root(create=True) / f"lms-{digest}"
    shutil.rmtree(root, ignore_errors=True)  # a fresh copy each discovery: the download may have changed
    root.mkdir(parents=True)
    return root


def _submission(staging: Path, student_id: str, identity: LmsIdentity, files: list[_File], main_file: str) -> Submission:
    """The student's files under their own names in a folder of their own, then found like any folder."""
    from grader.discover.handin import from_folder

    folder = staging / student_id
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        target = folder / _safe_relative(file.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        if file.path.is_dir():
            shutil.copytree(file.path, target, symlinks=True, dirs_exist_ok=True)
        elif not target.exists():
            shutil.copyfile(file.path, target)
    found = from_folder(folder, main_file)
    problem = found.problem.replace(f"the folder {printable(folder.name)}", f"the hand-in of {printable(identity.name or student_id)}")
    return Submission(student_id, found.root, found.files, found.main_file, problem, identity=identity)


def _safe_relative(name: str) -> Path:
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return Path(*parts) if parts else Path("file")


def open_bulk_download(path: Path) -> Path:
    """The folder to grade: `path` itself, or a class's bulk .zip (Canvas submissions.zip) unpacked safely.

    The archive is checked member by member like a student's (grader.discover.archive), with limits
    sized for a whole class; a refused archive is an instructor's input error (LmsLayoutError).
    """
    from grader.discover.archive import BULK_LIMITS, ArchiveRefused, unpack

    if not (path.is_file() and path.suffix.lower() == ".zip"):
        return path
    try:
        return unpack(path, BULK_LIMITS)
    except ArchiveRefused as refused:
        raise LmsLayoutError(f"the bulk download cannot be used: {refused}") from None


@dataclass(frozen=True)
class LmsOptions:
    """How `grader run` reads an LMS download and whom it expects (`--layout`, `--attempt`, `--roster`)."""

    layout: str = "auto"
    attempt: str = "latest"
    roster: Path | None = None
    #: grader field -> the roster file's column name (see grader.discover.roster)
    roster_columns: tuple[tuple[str, str], ...] = ()
