"""Before/after evidence for the red-team tests: what files and processes exist, so changes can be named."""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

#: folders not worth hashing file by file (caches that the grader's own imports may touch)
_SKIP_DIRS = {"__pycache__", ".pytest_cache"}


def file_state(path: Path) -> tuple:
    """(kind, size, mtime, content hash or link target) without following symbolic links."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return ("link", os.readlink(path))
    if stat.S_ISDIR(info.st_mode):
        return ("dir",)  # its entries are recorded one by one; its mtime moves with every new entry
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(info.st_mode) else ""
    return ("file", info.st_size, info.st_mtime_ns, digest)


def snapshot(roots: list[Path], exclude: tuple[Path, ...] = ()) -> dict[str, tuple]:
    """State of every file and folder under `roots` (symbolic links are recorded, never followed)."""
    states: dict[str, tuple] = {}

    def is_excluded(path: Path) -> bool:
        # whole path components: excluding ".../out" must not exclude ".../outside"
        return any(path == root or root in path.parents for root in exclude)
    for root in roots:
        if not os.path.lexists(root):
            states[str(root)] = ("missing",)
            continue
        states[str(root)] = file_state(root)
        if root.is_symlink() or not root.is_dir():
            continue
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = [d for d in subfolders if d not in _SKIP_DIRS and not is_excluded(Path(folder, d))]
            for name in subfolders + files:
                path = Path(folder, name)
                if not is_excluded(path):
                    states[str(path)] = file_state(path)
    return states


def marked_files(roots: list[Path], marker: bytes) -> set[str]:
    """Regular files under `roots` whose content contains `marker` (symbolic links are not followed).

    For folders other people may be editing while the tests run (the checkout's rubrics, references,
    grader code): any change there could be theirs, but a file holding the marker every hostile
    write carries can only come from a submission.
    """
    found = set()
    for root in roots:
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = [d for d in subfolders if d not in _SKIP_DIRS]
            for name in files:
                path = Path(folder, name)
                try:
                    if path.is_file() and not path.is_symlink() and marker in path.read_bytes():
                        found.add(str(path))
                except OSError:
                    pass
    return found


def changes(before: dict[str, tuple], after: dict[str, tuple]) -> list[str]:
    """Readable differences: created, removed and modified paths."""
    found = [f"created {p}" for p in sorted(after.keys() - before.keys())]
    found += [f"removed {p}" for p in sorted(before.keys() - after.keys())]
    found += [f"modified {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]]
    return found


@dataclass(frozen=True)
class ProcessInfo:
    pid: int
    ppid: int
    name: str
    cmdline: str
    cwd: str


def processes() -> dict[int, ProcessInfo]:
    """Every live (not zombie) process the test can see."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat_text = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat_text[stat_text.rindex(")") + 2:].split()
        if fields[0] == "Z":
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            cwd = ""
        name = stat_text[stat_text.index("(") + 1:stat_text.rindex(")")]
        found[int(entry.name)] = ProcessInfo(int(entry.name), int(fields[1]), name, cmdline, cwd)
    return found


def descendants(of: int, table: dict[int, ProcessInfo]) -> list[ProcessInfo]:
    """Processes whose chain of parents leads to `of`."""
    children: dict[int, list[int]] = {}
    for info in table.values():
        children.setdefault(info.ppid, []).append(info.pid)
    result, todo = [], list(children.get(of, []))
    while todo:
        pid = todo.pop()
        result.append(table[pid])
        todo += children.get(pid, [])
    return result
