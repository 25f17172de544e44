"""The run's output log: workdir/output.log receives the child's stdout and stderr.

The supervisor opens the log itself, before forking, and later reads it through that same descriptor.
So whatever the child does to the name output.log (delete it, replace it by a symlink to a secret file)
the supervisor only ever reads what was written into the file it created.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

LOG_NAME = "output.log"


def create_log(workdir: Path) -> int:
    """Create a fresh, empty workdir/output.log and return a read-write descriptor to it."""
    path = Path(workdir) / LOG_NAME
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)


def read_head(fd: int, limit_bytes: int) -> tuple[str, bool]:
    """The first `limit_bytes` of the file as text, and whether the file holds more than that."""
    size = os.fstat(fd).st_size
    data = os.pread(fd, min(size, limit_bytes), 0) if size else b""
    return data.decode("utf-8", errors="replace"), size > limit_bytes


def read_head_by_path(workdir: Path, limit_bytes: int) -> tuple[str, bool]:
    """Like read_head for a log whose descriptor is lost (its supervisor died); refuses non-regular files."""
    try:
        # O_NONBLOCK: a FIFO planted under the log's name must not block the reader
        fd = os.open(Path(workdir) / LOG_NAME, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return "", False
    try:
        info = os.fstat(fd)
        # a hard link to some other file would have a link count above 1
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            return "", False
        return read_head(fd, limit_bytes)
    finally:
        os.close(fd)
