"""The observation channel, sandbox side: how a sandboxed run reports what it saw.

The child appends one JSON object per line to `observations/index.jsonl` and stores arrays as `.npy` files
next to it. Nothing is pickled. The trusted side reads the folder with `grader.observations` (never from
here: this package runs inside the sandbox), treating it as hostile.

The folder is writable by the student's code too, so the writer numbers its lines, records the SHA-256
of every array file it writes, writes only from the process that started the run (never from a child
the submission forked), and closes with an "end" line. The reader refuses the whole record as tampered
when lines are out of sequence or malformed, an array file changed or is referenced twice, anything
follows the end, or the probe itself reported tampering (see `integrity`). Forged lines therefore
cannot be mixed into a genuine record without rewriting it consistently, which takes reading the
grader's source; docs/security.md says what remains possible.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from grader.record_format import INDEX, MAX_DEPTH, MAX_TEXT, StudentError  # noqa: F401 - re-exported to probes


class ObservationWriter:
    """Child-side writer. Every record is flushed at once so a later kill loses nothing already seen."""

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._index = open(directory / INDEX, "a", encoding="utf-8")
        self._count = 0
        self._seq = 0
        # a process the submission forks inherits this writer; only the run's own process may report
        self._pid = os.getpid()

    def _write(self, entry: dict[str, Any]) -> None:
        if os.getpid() != self._pid:
            return
        entry["seq"] = self._seq
        self._seq += 1
        self._index.write(json.dumps(entry, allow_nan=True) + "\n")
        self._index.flush()

    def record(self, key: str, value: Any, meta: dict[str, Any] | None = None) -> None:
        """Record an array (any numeric array-like) or a JSON-able value under `key`."""
        entry: dict[str, Any] = {"type": "obs", "key": key, "meta": meta or {}}
        array = _as_numeric_array(value)
        if array is not None:
            if os.getpid() != self._pid:
                return
            self._count += 1
            name = f"{self._count:05d}.npy"
            buffer = io.BytesIO()
            np.save(buffer, array, allow_pickle=False)
            data = buffer.getvalue()
            # "xb": a file the submission planted under this name (or a link) is never written through
            with open(self.directory / name, "xb") as handle:
                handle.write(data)
            entry["file"] = name
            entry["sha256"] = hashlib.sha256(data).hexdigest()
        else:
            entry["value"] = _jsonable(value)
        self._write(entry)

    def record_error(self, key: str, error: StudentError, meta: dict[str, Any] | None = None) -> None:
        self._write({"type": "obs", "key": key, "meta": meta or {}, "error": error.__dict__})

    def step(self, name: str, event: str) -> None:
        """event: "start", or how it ended: "done", "timeout", "error"."""
        self._write({"type": "step", "step": name, "event": event})

    def restored(self, names: list[str]) -> None:
        """Library attributes the script replaced and the probe put back before probing."""
        self._write({"type": "restored", "names": names[:50]})

    def tampered(self, what: list[str]) -> None:
        """The submission changed the grader's code or records: the trusted side will score nothing."""
        self._write({"type": "tampered", "what": what[:50]})

    def finish(self) -> None:
        """The last line of a complete record."""
        self._write({"type": "end"})


def _as_numeric_array(value: Any) -> np.ndarray | None:
    if isinstance(value, (bool, str, dict)) or value is None:
        return None
    if isinstance(value, (int, float, np.number, np.ndarray, list, tuple)):
        try:
            array = np.asarray(value)
        except Exception:
            return None
        if array.dtype.kind in "biuf":
            # not np.ascontiguousarray: it turns a 0-d value into shape (1,), and messages must say "shape ()"
            return array if array.flags.c_contiguous else array.copy(order="C")
    return None


def _jsonable(value: Any) -> Any:
    if _deeper_than(value, MAX_DEPTH):
        return f"<a {type(value).__name__} nested more than {MAX_DEPTH} levels deep>"
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError, RecursionError):
        try:
            return repr(value)[:MAX_TEXT]
        except Exception:  # a repr that raises (or recurses without end) still leaves a description
            return f"<a {type(value).__name__} that cannot be shown>"


def _deeper_than(value: Any, limit: int, max_items: int = 1_000_000) -> bool:
    """Whether lists/tuples/dicts nest deeper than `limit` (or hold more than `max_items` containers,
    e.g. a list that contains itself), found without recursion and without repr."""
    stack = [(value, 0)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, tuple, dict)):
            seen += 1
            if depth >= limit or seen > max_items:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False
