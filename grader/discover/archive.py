"""A student's `.zip` hand-in, unpacked safely before grading.

An archive is untrusted input that the grader itself unpacks, on the trusted side, before any sandbox
exists. So it is checked member by member first, and refused as a whole (the student then gets a
not-gradable row saying why) when any member could escape the extraction folder or exhaust the machine:

- names that are absolute, contain `..`, a drive letter, a backslash path or a NUL character;
- symbolic links, devices, FIFOs (only regular files and folders are unpacked);
- password-protected members, duplicate names;
- paths nested more than MAX_MEMBER_DEPTH folders deep;
- more than MAX_MEMBERS files, a member above MAX_MEMBER_BYTES or a total above MAX_TOTAL_BYTES
  (counted while decompressing, so a member that lies about its size stops at the limit: zip bombs).

Archives are unpacked into a private temporary folder of this process, never next to the class's files
(the submissions folder is left exactly as the instructor gave it), and the folder is removed at exit.
"""
from __future__ import annotations

import atexit
import hashlib
import stat
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.discover.submission import printable
from grader.sandbox.cleanup import remove_tree

MAX_MEMBERS = 200
#: the sandbox copies no file above 20 MiB anyway (grader.sandbox.workdir.MAX_FILE_BYTES)
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
#: deeper member paths are refused: folders nested thousands deep stop path handling (and rmtree) by recursion
MAX_MEMBER_DEPTH = 32
#: metadata of archivers that is never part of a hand-in
IGNORED_PREFIXES = ("__MACOSX/",)
_CHUNK = 1024 * 1024

_lock = threading.Lock()
_root: Path | None = None


class ArchiveRefused(Exception):
    """The archive cannot be unpacked safely; the message says why, in a student's words."""


def extraction_root(create: bool = False) -> Path | None:
    """The private folder archives are unpacked into (None until the first archive, unless `create`)."""
    global _root
    with _lock:
        if _root is not None and not _root.is_dir():
            _root = None  # removed meanwhile (e.g. with the temporary folder it lived in): start afresh
        if _root is None and create:
            _root = Path(tempfile.mkdtemp(prefix="grader-archives-"))
            atexit.register(remove_tree, _root)
        return _root


@dataclass(frozen=True)
class ArchiveLimits:
    """How much one archive may hold; a class's bulk download from an LMS gets larger limits than one hand-in."""

    members: int = MAX_MEMBERS
    member_bytes: int = MAX_MEMBER_BYTES
    total_bytes: int = MAX_TOTAL_BYTES


def default_limits() -> ArchiveLimits:
    """The limits for one student's archive (read at call time, so they can be changed in one place)."""
    return ArchiveLimits(MAX_MEMBERS, MAX_MEMBER_BYTES, MAX_TOTAL_BYTES)


#: a whole class's bulk download (e.g. Canvas submissions.zip): every student's files in one archive
BULK_LIMITS = ArchiveLimits(members=20_000, member_bytes=MAX_MEMBER_BYTES, total_bytes=2 * 1024**3)


def unpack(archive: Path, limits: ArchiveLimits | None = None) -> Path:
    """Unpack `archive` into a fresh folder named like the archive; return that folder.

    Raises ArchiveRefused (nothing is left on disk) when the archive is unreadable or unsafe.
    """
    limits = limits or default_limits()
    if archive.stat().st_size > limits.total_bytes:
        raise ArchiveRefused(f"{printable(archive.name)} is larger than {limits.total_bytes // 2**20} MiB")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()[:16]
    destination = extraction_root(create=True) / digest / archive.name
    if destination.is_dir():
        return destination  # the same bytes were unpacked before in this process
    staging = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=destination.parent.parent))
    try:
        try:
            with zipfile.ZipFile(archive) as handle:
                members = checked_members(handle, limits)
                _extract(handle, members, staging, limits)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as error:
            raise ArchiveRefused(f"{printable(archive.name)} is not a readable zip archive ({error})") from None
        destination.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(destination)
    except BaseException:
        remove_tree(staging)
        raise
    return destination


def checked_members(handle: zipfile.ZipFile, limits: ArchiveLimits | None = None) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """The regular files of the archive with their safe relative paths; ArchiveRefused on any unsafe member."""
    limits = limits or default_limits()
    name = printable(Path(handle.filename or "archive").name)
    members: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    seen: set[PurePosixPath] = set()
    declared = 0
    for info in handle.infolist():
        if info.filename.startswith(IGNORED_PREFIXES):
            continue
        relative = safe_relative_path(info.filename)
        if relative is None:
            raise ArchiveRefused(f"{name} contains '{info.filename}', a path that points outside the archive's folder")
        if len(relative.parts) > MAX_MEMBER_DEPTH:
            raise ArchiveRefused(f"{name} contains a path nested more than {MAX_MEMBER_DEPTH} folders deep")
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind == stat.S_IFLNK:
            raise ArchiveRefused(f"{name} contains a symbolic link ('{info.filename}'); hand in the files themselves")
        if info.is_dir() or kind == stat.S_IFDIR:
            continue
        if kind not in (0, stat.S_IFREG):
            raise ArchiveRefused(f"{name} contains '{info.filename}', which is not a regular file")
        if info.flag_bits & 0x1:
            raise ArchiveRefused(f"{name} is password-protected; hand in an archive without a password")
        if relative in seen:
            raise ArchiveRefused(f"{name} contains '{info.filename}' twice")
        seen.add(relative)
        declared += info.file_size
        _check_sizes(name, len(seen), info.file_size, declared, limits)
        members.append((info, relative))
    return members


def safe_relative_path(member: str) -> PurePosixPath | None:
    """The member's path relative to the extraction folder, or None if it is absolute or climbs out."""
    text = member.replace("\\", "/")
    if not text or "\0" in text or text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        return None
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if not parts or any(part == ".." for part in parts):
        return None
    return PurePosixPath(*parts)


def _check_sizes(name: str, count: int, member_bytes: int, total_bytes: int,
                 limits: ArchiveLimits | None = None) -> None:
    limits = limits or default_limits()
    if count > limits.members:
        raise ArchiveRefused(f"{name} holds more than {limits.members} files")
    if member_bytes > limits.member_bytes:
        raise ArchiveRefused(f"{name} holds a file larger than {limits.member_bytes // 2**20} MiB when unpacked")
    if total_bytes > limits.total_bytes:
        raise ArchiveRefused(f"{name} is larger than {limits.total_bytes // 2**20} MiB when unpacked")


def _extract(handle: zipfile.ZipFile, members: list[tuple[zipfile.ZipInfo, PurePosixPath]], folder: Path,
             limits: ArchiveLimits | None = None) -> None:
    """Write each member under `folder`, counting real bytes: declared sizes are not trusted."""
    limits = limits or default_limits()
    name = printable(Path(handle.filename or "archive").name)
    total = 0
    for info, relative in members:
        target = folder.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        # "xb": never through a file or link that is already there (the folder is fresh, but be exact)
        with handle.open(info) as source, open(target, "xb") as sink:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                total += len(chunk)
                _check_sizes(name, 0, written, total, limits)
                sink.write(chunk)
