"""The filesystem view of a sandboxed run, built inside a private mount namespace.

Runs as root in the freshly forked keeper, before capabilities are dropped. The resulting view:
every existing mount read-only; the workdir writable; private, size-limited tmpfs on /tmp and /dev/shm;
a minimal /dev; a fresh read-only /proc that shows only the run's own processes (when the keeper is
the init of a new PID namespace); the hidden paths covered by empty read-only tmpfs (directories) or
/dev/null (files). A hidden directory that contains the workdir keeps the workdir visible inside it.

Why read-only everywhere: where the child still runs as uid 0 (an interpreter other users cannot read,
see runuid), uid 0 passes every permission check based on file ownership even without capabilities
(grader sources, /proc/sys, cgroup files, sysfs). Where it runs as a uid of its own, the workdir is
handed to that uid (`chown_tree`), and a folder on the way to it that the uid may not pass is covered
like a hidden folder, keeping only the way to the workdir (`make_reachable`).
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from grader.sandbox import linux

_PER_MOUNT_FLAGS = {
    "nosuid": linux.MS_NOSUID,
    "nodev": linux.MS_NODEV,
    "noexec": linux.MS_NOEXEC,
    "noatime": linux.MS_NOATIME,
    "nodiratime": linux.MS_NODIRATIME,
    "relatime": linux.MS_RELATIME,
    "strictatime": linux.MS_STRICTATIME,
}
_DEVICES = ("null", "zero", "full", "random", "urandom")
_DEV_LINKS = {"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2"}
_TMPFS_FLAGS = linux.MS_NOSUID | linux.MS_NODEV


def _unescape(field: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as three octal digits."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def current_mounts() -> list[tuple[str, set[str]]]:
    """(mount point, per-mount options) for every mount visible to this process, in mount order."""
    mounts = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as handle:
        for line in handle:
            fields = line.split()
            mounts.append((_unescape(fields[4]), set(fields[5].split(","))))
    return mounts


def _flags_of(options: set[str]) -> int:
    flags = 0
    for name, flag in _PER_MOUNT_FLAGS.items():
        if name in options:
            flags |= flag
    return flags


def _is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def make_private() -> None:
    """Enter a new mount namespace whose changes never propagate back to the host."""
    linux.unshare(linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)


def bind_workdir(workdir: str) -> int:
    """Make the workdir a mount of its own (so it can stay writable); return an O_PATH fd to it."""
    linux.mount(workdir, workdir, None, linux.MS_BIND | linux.MS_REC)
    return os.open(workdir, os.O_PATH | os.O_DIRECTORY)


def mount_fresh_proc(read_only: bool = True) -> None:
    """A /proc of the current PID namespace (only the run's processes are visible)."""
    flags = linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC | (linux.MS_RDONLY if read_only else 0)
    linux.mount("proc", "/proc", "proc", flags)


def minimal_dev(shm_mb: int) -> None:
    """Replace /dev by a tmpfs holding only the harmless character devices and a private /dev/shm."""
    sources = {name: os.open(f"/dev/{name}", os.O_PATH) for name in _DEVICES if os.path.exists(f"/dev/{name}")}
    try:
        linux.mount("tmpfs", "/dev", "tmpfs", linux.MS_NOSUID | linux.MS_NOEXEC, "size=64k,mode=755")
        for name, fd in sources.items():
            Path(f"/dev/{name}").touch(mode=0o666)
            linux.mount(f"/proc/self/fd/{fd}", f"/dev/{name}", None, linux.MS_BIND)
        for name, target in _DEV_LINKS.items():
            os.symlink(target, f"/dev/{name}")
        os.mkdir("/dev/shm", 0o1777)
        linux.mount("tmpfs", "/dev/shm", "tmpfs", _TMPFS_FLAGS, f"size={shm_mb}m,mode=1777")
    finally:
        for fd in sources.values():
            os.close(fd)


def remount_all_read_only(keep_writable: tuple[str, ...]) -> None:
    """Remount every mount read-only except those at or below one of `keep_writable`."""
    for mount_point, options in current_mounts():
        if "ro" in options or any(_is_within(mount_point, keep) for keep in keep_writable):
            continue
        if not os.path.exists(mount_point):
            continue  # shadowed by a later mount; unreachable anyway
        flags = linux.MS_REMOUNT | linux.MS_BIND | linux.MS_RDONLY | _flags_of(options)
        linux.mount(None, mount_point, None, flags)


def _reexpose_workdir(covered: str, workdir: str, workdir_fd: int) -> None:
    """After `covered` was mounted over, put the (writable) workdir back at its old place inside it."""
    if not _is_within(workdir, covered):
        return
    linux.mount(f"/proc/self/fd/{workdir_fd}", workdir, None, linux.MS_BIND | linux.MS_REC)


def _make_dirs_for(workdir: str, covered: str) -> None:
    if _is_within(workdir, covered):
        os.makedirs(workdir, mode=0o755, exist_ok=True)


def cover_with_tmpfs(path: str, size_mb: int, writable: bool, workdir: str, workdir_fd: int) -> None:
    """Mount an empty tmpfs over directory `path`; keeps the workdir reachable if it lies inside."""
    mode = "1777" if writable else "755"
    linux.mount("tmpfs", path, "tmpfs", _TMPFS_FLAGS, f"size={size_mb}m,mode={mode}")
    _make_dirs_for(workdir, path)
    if not writable:
        # mounting onto a directory of a read-only tmpfs is allowed, so the workdir can come back after this
        linux.mount(None, path, None, linux.MS_REMOUNT | linux.MS_RDONLY | _TMPFS_FLAGS | linux.MS_NOEXEC)
    _reexpose_workdir(path, workdir, workdir_fd)


def open_kept(paths: tuple[str, ...], covered: str) -> dict[str, int]:
    """O_PATH handles on the paths inside `covered` that must stay visible once it is mounted over."""
    inside = sorted(p for p in paths if _is_within(p, covered) and p != covered and os.path.isdir(p))
    outermost = [p for p in inside if not any(_is_within(p, q) and p != q for q in inside)]
    return {p: os.open(p, os.O_PATH | os.O_DIRECTORY) for p in outermost}


def reexpose_read_only(kept: dict[str, int]) -> None:
    """Bind each kept directory back at its old place, read-only (e.g. a virtualenv under /tmp)."""
    for path, fd in kept.items():
        os.makedirs(path, mode=0o755, exist_ok=True)
        linux.mount(f"/proc/self/fd/{fd}", path, None, linux.MS_BIND | linux.MS_REC)
        linux.mount(None, path, None, linux.MS_REMOUNT | linux.MS_BIND | linux.MS_RDONLY)
        os.close(fd)


def hide_file(path: str) -> None:
    """Bind /dev/null over a file, read-only: the file reads as empty and cannot be written."""
    linux.mount("/dev/null", path, None, linux.MS_BIND)
    linux.mount(None, path, None, linux.MS_REMOUNT | linux.MS_BIND | linux.MS_RDONLY)


def hide_paths(paths: tuple[str, ...], workdir: str, workdir_fd: int) -> list[str]:
    """Hide each existing path; return the ones that could not be hidden (with the reason)."""
    failures = []
    # shallow paths first: a deeper hidden path inside an already hidden directory then simply no longer exists;
    # each path once (the class and the assignment may both name the checkout's folders): a mount costs time
    for path in sorted(set(paths), key=lambda p: (p.count("/"), p)):
        try:
            if os.path.isdir(path):
                cover_with_tmpfs(path, 1, False, workdir, workdir_fd)
            elif os.path.lexists(path):
                hide_file(path)
        except OSError as error:
            failures.append(f"{path}: {error.strerror}")
    return failures


def passable_by(info: os.stat_result, uid: int, gid: int) -> bool:
    """Whether a process with `uid`, `gid` and no supplementary groups may search this folder (ACLs aside)."""
    if info.st_uid == uid:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid == gid:
        return bool(info.st_mode & stat.S_IXGRP)
    return bool(info.st_mode & stat.S_IXOTH)


def _ancestors(workdir: str) -> list[str]:
    """The folders above `workdir`, outermost first."""
    return [str(folder) for folder in reversed(Path(workdir).parents)]


def reachable(workdir: str, uid: int, gid: int) -> bool:
    """Whether `uid` may pass every folder above `workdir` in the current view."""
    try:
        return all(passable_by(os.stat(folder), uid, gid) for folder in _ancestors(workdir))
    except OSError:
        return False


def make_reachable(workdir: str, workdir_fd: int, uid: int, gid: int) -> None:
    """Cover the outermost folder above the workdir that `uid` may not pass (e.g. a mode 0700 temporary
    folder) with an empty read-only tmpfs that keeps only the way to the workdir, as for a hidden folder.

    The run could not see into that folder anyway; now it can reach its workdir through it. The folders
    the tmpfs gets on the way are 0755 (the caller's umask permitting).
    """
    for folder in _ancestors(workdir):
        if not passable_by(os.stat(folder), uid, gid):
            cover_with_tmpfs(folder, 1, False, workdir, workdir_fd)
            return


def chown_tree(root: str, uid: int, gid: int) -> None:
    """Give `root` and every folder and file below it to `uid`/`gid`, without following links.

    Files with more than one link are left to their owner: a link to a file outside the workdir must not
    hand that file over (the trusted side never makes such links; a run cannot either, as every other
    file system is another mount). Iterative, so the depth of the tree does not matter.
    """
    os.chown(root, uid, gid, follow_symlinks=False)
    pending = [root]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    os.chown(entry.path, uid, gid, follow_symlinks=False)
                    pending.append(entry.path)
                elif entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_nlink == 1:
                    os.chown(entry.path, uid, gid, follow_symlinks=False)
