"""Reading files from a folder a submission could write to: never follow a link, never block, never hang.

Every file is opened relative to a descriptor of the folder (so a folder swapped for a link after we
opened it changes nothing), with O_NOFOLLOW (a link is refused, not followed) and O_NONBLOCK (opening a
FIFO returns at once instead of waiting for a writer), and `fstat` decides before any byte is read:
only a regular file of at most the allowed size is read.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass

_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
_DIR_FLAGS = _FLAGS | getattr(os, "O_DIRECTORY", 0)


class Refused(Exception):
    """A file that is not what the writer wrote: missing, a link, not a regular file, or too large."""

    def __init__(self, reason: str, missing: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        #: nothing there at all (a run that ended before writing it), as opposed to something else there
        self.missing = missing


class TooLarge(Refused):
    """A regular file larger than the caller allows."""


@dataclass
class Folder:
    """An open folder; files are read relative to it. Use as a context manager."""

    fd: int

    @classmethod
    def open(cls, path: os.PathLike | str) -> "Folder":
        try:
            return cls(os.open(path, _DIR_FLAGS))
        except FileNotFoundError:
            raise Refused("the folder is missing", missing=True) from None
        except OSError as exc:  # ELOOP (a link), ENOTDIR, EACCES...
            raise Refused(f"the folder cannot be opened ({exc.strerror})") from None

    def __enter__(self) -> "Folder":
        return self

    def __exit__(self, *exc_info: object) -> None:
        os.close(self.fd)

    def read(self, name: str, max_bytes: int, *, prefix_only: bool = False) -> bytes:
        """The bytes of regular file `name` (at most `max_bytes`; with `prefix_only`, a larger file is
        cut instead of refused). Raises Refused for anything else; never blocks."""
        try:
            fd = os.open(name, _FLAGS, dir_fd=self.fd)
        except FileNotFoundError:
            raise Refused(f"{name} is missing", missing=True) from None
        except OSError as exc:
            raise Refused(f"{name} cannot be opened ({exc.strerror})") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise Refused(f"{name} is not a regular file")
            if info.st_size > max_bytes and not prefix_only:
                raise TooLarge(f"{name} is larger than {max_bytes} bytes")
            return _read_at_most(fd, min(info.st_size, max_bytes))
        except OSError as exc:
            raise Refused(f"{name} cannot be read ({exc.strerror})") from None
        finally:
            os.close(fd)


def _read_at_most(fd: int, limit: int) -> bytes:
    # the size fstat gave may change while we read (the run's processes are dead, but be exact anyway)
    chunks, left = [], limit
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
