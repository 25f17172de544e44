"""The class roster: who should have handed in, with the identities each LMS needs to take grades back.

A roster is a CSV with one row per enrolled student. The grader's own column names are `id`, `name`,
`email`, `section`, and optionally `sis_user_id`, `sis_login_id`, `username`, `org_defined_id`; another
file's names are mapped with `columns` (`{"id": "ID", "name": "Student"}`). A Canvas gradebook export
is recognised as it is (Student, ID, SIS User ID, SIS Login ID, Section).

`match_roster` pairs hand-ins with roster entries and keeps everything it cannot pair: hand-ins that
match nobody and enrolled students without a hand-in are both listed, never dropped.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from grader.discover.submission import Submission

FIELDS = ("id", "name", "email", "section", "sis_user_id", "sis_login_id", "username", "org_defined_id")
#: a gradebook exported from Canvas is a roster as it is
CANVAS_COLUMNS = {"id": "ID", "name": "Student", "section": "Section", "sis_user_id": "SIS User ID",
                  "sis_login_id": "SIS Login ID"}


#: Moodle's grading worksheet is a roster as it is ("Participant 130001" ids, as in its download folders)
MOODLE_COLUMNS = {"id": "Identifier", "name": "Full name", "email": "Email address"}
#: the roster a run used, kept beside its gradebook (JSON: a file for the grader, not for a spreadsheet)
ROSTER_FILE = "roster.json"


class RosterError(Exception):
    """The roster file cannot be used (missing, unreadable, no id column, duplicate ids)."""


@dataclass(frozen=True)
class RosterEntry:
    """One enrolled student."""

    id: str
    name: str = ""
    email: str = ""
    section: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    username: str = ""
    org_defined_id: str = ""


@dataclass(frozen=True)
class Roster:
    entries: tuple[RosterEntry, ...]


@dataclass(frozen=True)
class RosterMatch:
    """Hand-ins paired with roster entries, and what could not be paired."""

    #: student id of a hand-in -> its roster entries (more than one for a group hand-in)
    matched: dict[str, tuple[RosterEntry, ...]] = field(default_factory=dict)
    #: student ids of hand-ins that match no roster entry
    unmatched: tuple[str, ...] = ()
    #: roster entries without a hand-in
    missing: tuple[RosterEntry, ...] = ()


def parse_columns(text: str | None) -> dict[str, str]:
    """`"id=ID,name=Student"` -> {"id": "ID", "name": "Student"}; RosterError on an unknown field."""
    if not text:
        return {}
    mapping = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in FIELDS or not value.strip():
            raise RosterError(f"--roster-columns: '{part}' is not FIELD=COLUMN with FIELD one of {', '.join(FIELDS)}")
        mapping[key] = value.strip()
    return mapping


def load_roster(path: Path, columns: Mapping[str, str] | None = None) -> Roster:
    """Read a roster CSV; every cell is text (ids keep their leading zeros)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(f"roster not found: {path}") from None
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path}: not a readable CSV ({exc})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    mapping = _columns(frame, columns or {}, path)
    entries = []
    for record in frame.to_dict("records"):
        values = {key: _clean(key, str(record.get(column, ""))) for key, column in mapping.items()}
        if not values.get("id") or _is_canvas_extra_row(values):
            continue
        entries.append(RosterEntry(**values))
    ids = [e.id for e in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RosterError(f"{path}: the id(s) {', '.join(duplicates[:5])} appear more than once")
    return Roster(tuple(entries))


def write_roster(roster: Roster, path: Path) -> None:
    """Keep the roster a run used (for `grader export` later), atomically."""
    from grader.atomic import write_text_atomic

    write_text_atomic(path, json.dumps([asdict(e) for e in roster.entries], indent=1, ensure_ascii=False) + "\n")


def read_roster_copy(path: Path) -> Roster:
    """The roster kept by `write_roster`."""
    try:
        return Roster(tuple(RosterEntry(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))))
    except FileNotFoundError:
        raise RosterError(f"no roster kept at {path}: grade with --roster, or pass --roster to the export") from None
    except (ValueError, TypeError) as exc:
        raise RosterError(f"{path}: not a roster written by the grader ({exc})") from None


def _columns(frame: pd.DataFrame, given: Mapping[str, str], path: Path) -> dict[str, str]:
    present = set(frame.columns)
    if given:
        mapping = {key: given.get(key, key) for key in FIELDS}
    elif {"Student", "ID"} <= present and "id" not in present:
        mapping = {**{key: key for key in FIELDS}, **CANVAS_COLUMNS}
    elif {"Identifier", "Full name"} <= present and "id" not in present:
        mapping = {**{key: key for key in FIELDS}, **MOODLE_COLUMNS}
    else:
        mapping = {key: key for key in FIELDS}
    if mapping["id"] not in present:
        raise RosterError(f"{path}: no id column '{mapping['id']}' (columns: {', '.join(frame.columns)}); "
                          "name it with --roster-columns id=COLUMN")
    unknown = sorted(v for k, v in given.items() if v not in present)
    if unknown:
        raise RosterError(f"{path}: no column(s) {', '.join(unknown)} (columns: {', '.join(frame.columns)})")
    return {key: column for key, column in mapping.items() if column in present}


def _clean(key: str, value: str) -> str:
    value = value.strip()
    if key == "id" and value.lower().startswith("participant "):
        return value[len("participant "):].strip()  # Moodle: "Participant 130001" is participant 130001
    if key in ("org_defined_id", "username"):
        return value.removeprefix("#")  # Brightspace's own exports write "#" before these
    return value


def _is_canvas_extra_row(values: dict[str, str]) -> bool:
    # Canvas exports put a "Points Possible" row (and sometimes "Muted") under the header
    return values.get("name", "").strip().lower() in ("points possible", "muted")


def match_roster(submissions: Iterable[Submission], roster: Roster) -> RosterMatch:
    """Pair each hand-in with roster entries: by LMS id, then by student id, email, login or name."""
    submissions = list(submissions)
    taken: set[str] = set()
    matched: dict[str, tuple[RosterEntry, ...]] = {}
    unmatched = []
    index = _index(roster)
    for submission in submissions:
        entries = []
        for key in _keys(submission):
            entry = index.get(key)
            if entry is not None and entry.id not in taken and entry not in entries:
                entries.append(entry)
                if submission.identity is None or not submission.identity.members:
                    break
        if entries:
            taken.update(e.id for e in entries)
            matched[submission.student_id] = tuple(entries)
        else:
            unmatched.append(submission.student_id)
    missing = tuple(e for e in roster.entries if e.id not in taken)
    return RosterMatch(matched, tuple(unmatched), missing)


def _index(roster: Roster) -> dict[str, RosterEntry]:
    """Every way a hand-in may name a roster entry -> that entry (the first wins on a clash)."""
    index: dict[str, RosterEntry] = {}
    for kind in ("id", "sis_user_id", "org_defined_id", "email", "sis_login_id", "username", "name"):
        for entry in roster.entries:
            value = getattr(entry, kind)
            if value:
                index.setdefault(f"{'name' if kind == 'name' else 'id'}:{_normal(value)}", entry)
                if kind == "email":
                    index.setdefault(f"id:{_normal(value.split('@')[0])}", entry)
    return index


def _keys(submission: Submission) -> list[str]:
    identity = submission.identity
    keys = []
    if identity is not None:
        keys += [f"id:{_normal(i)}" for i in (identity.lms_id, *identity.members, identity.email) if i]
    keys.append(f"id:{_normal(submission.student_id)}")
    if identity is not None and identity.name:
        keys.append(f"name:{_normal(identity.name)}")
    return keys


def _normal(text: str) -> str:
    """Case, accents, spaces and punctuation do not matter when names and ids are compared."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9@.]+", "", text.lower())
