"""Removing a run's work folder whatever the run left in it.

`shutil.rmtree` recurses (a few thousand nested folders raise RecursionError), builds full paths (deep
trees exceed PATH_MAX) and gives up on folders the run made unreadable or unwritable. `remove_tree`
works on one folder at a time through descriptors: every subfolder is first moved up to the top of the
tree (so neither the depth of the tree nor the number of open descriptors grows), permissions are put
back to owner rwx on every folder as soon as it is seen (before it is moved or opened: an ordinary user,
unlike root, needs them for both), links are removed, never followed. It never raises.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def remove_tree(root: Path) -> bool:
    """Remove `root` and everything under it; True when it is gone (or was never there)."""
    root = Path(root)
    try:
        info = os.lstat(root)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return _quietly(os.unlink, root)
    _quietly(os.chmod, root, stat.S_IRWXU)
    try:
        root_fd = os.open(root, _DIR_FLAGS)
    except OSError:
        return False
    try:
        _flatten_and_empty(root_fd)
    finally:
        os.close(root_fd)
    _quietly(os.rmdir, root)
    return not os.path.lexists(root)


def _flatten_and_empty(root_fd: int) -> None:
    """Empty the folder open as `root_fd`: subfolders are moved up to it, emptied and removed in turn."""
    queue: list[str] = []
    counter = 0
    token = os.urandom(6).hex()  # names the run cannot have guessed

    def empty(folder_fd: int) -> None:
        nonlocal counter
        try:
            entries = list(os.scandir(folder_fd))
        except OSError:
            return
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if not is_dir:
                _quietly(os.unlink, entry.name, dir_fd=folder_fd)
                continue
            # the run may have taken our permissions away; moving a folder to another parent rewrites its
            # "..", which needs write permission on the folder itself, and opening it needs read permission
            _give_back_permissions(entry.name, folder_fd)
            if folder_fd == root_fd:
                queue.append(entry.name)  # already at the top
                continue
            counter += 1
            flat = f".grader-cleanup-{token}-{counter}"
            if _quietly(os.rename, entry.name, flat, src_dir_fd=folder_fd, dst_dir_fd=root_fd):
                queue.append(flat)

    empty(root_fd)
    done: list[str] = []
    while queue:
        name = queue.pop()
        done.append(name)
        try:
            folder_fd = os.open(name, _DIR_FLAGS, dir_fd=root_fd)
        except OSError:
            continue
        try:
            empty(folder_fd)
        finally:
            os.close(folder_fd)
    for name in reversed(done):
        _quietly(os.rmdir, name, dir_fd=root_fd)


def _give_back_permissions(name: str, dir_fd: int) -> None:
    """Owner rwx on the folder `name` in `dir_fd`. A link is never followed: its target may lie outside the
    tree (with dir_fd and follow_symlinks=False, a link makes Python raise ValueError instead)."""
    try:
        os.chmod(name, stat.S_IRWXU, dir_fd=dir_fd, follow_symlinks=False)
    except (OSError, NotImplementedError, ValueError):
        pass


def _quietly(operation, *args, **kwargs) -> bool:
    try:
        operation(*args, **kwargs)
        return True
    except (OSError, NotImplementedError):
        return False
