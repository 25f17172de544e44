"""Write a file so that readers see either the old bytes or the new bytes, never half of either."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(dest: Path, data: bytes) -> None:
    """Write `data` to `dest` through a temporary file in the same directory and `os.replace`.

    The temporary file lives next to `dest` because `os.replace` is only atomic within one
    file system. It is fsynced before the rename so a power cut cannot leave an empty file
    under the final name. Parent directories are created as needed.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        # mkstemp creates 0600 files; reports and exports are meant to be shared like any other file
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, dest)
    except BaseException:
        # Leave no stray temporary file behind, whatever went wrong (including KeyboardInterrupt).
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


def write_text_atomic(dest: Path, text: str) -> None:
    """UTF-8 text variant of `write_atomic`, with newlines written exactly as given."""
    write_atomic(dest, text.encode("utf-8"))
