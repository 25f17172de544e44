"""The grading user's home folders: private, except what the sandboxed interpreter itself needs.

A sandboxed run is uid 0 without capabilities and sees every file that is not hidden (see README,
"Not isolated"). Home folders are where credentials, shell histories, SSH keys and program settings
live, so every entry of them is hidden, except the ones that hold the interpreter, its packages, the
grader or another path the caller must keep (e.g. matplotlib's font cache, the assignment's probe);
those are entered and their other entries hidden in turn.

Symbolic links are left alone: mounting over one would hide its target, wherever that is.
"""
from __future__ import annotations

import os
import pwd
from pathlib import Path

#: how deep to follow kept paths into a home folder before giving up (kept paths are rarely deeper)
MAX_DEPTH = 8


def home_folders() -> list[Path]:
    """$HOME and the home of the user we run as, when they are real folders other than /."""
    candidates = [os.environ.get("HOME", "")]
    try:
        candidates.append(pwd.getpwuid(os.getuid()).pw_dir)
    except KeyError:
        pass
    found = []
    for text in candidates:
        if text and os.path.isdir(text) and os.path.realpath(text) != "/":
            path = Path(os.path.realpath(text))
            if path not in found:
                found.append(path)
    return found


def private_home_paths(keep: list[str] | tuple[str, ...], homes: list[Path] | None = None) -> tuple[Path, ...]:
    """Entries of the home folders to hide so that nothing but `keep` (and what contains it) stays visible."""
    kept = [Path(os.path.realpath(p)) for p in keep if p]
    hidden: list[Path] = []
    for home in home_folders() if homes is None else homes:
        # a kept path that holds the whole home (a working folder of "" on sys.path, "/") says nothing
        # about which of its entries are needed: only paths inside the home count
        _visit(home, [k for k in kept if not _inside(home, k)], hidden, 0)
    return tuple(hidden)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _visit(folder: Path, kept: list[Path], hidden: list[Path], depth: int) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.is_symlink() or any(_inside(path, k) for k in kept):
            continue
        if any(_inside(k, path) for k in kept):
            if depth < MAX_DEPTH:
                _visit(path, kept, hidden, depth + 1)
            continue
        hidden.append(path)
