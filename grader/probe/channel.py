"""The observation channel: how a sandboxed run reports what it saw, and how the trusted side reads it.

The child appends one JSON object per line to `observations/index.jsonl` and stores arrays as `.npy` files
next to it. Nothing is pickled. The reader treats the directory as hostile: oversized or object-dtype
arrays and unknown fields are ignored rather than trusted.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

INDEX = "index.jsonl"
MAX_INDEX_BYTES = 8 * 1024 * 1024
MAX_ARRAY_BYTES = 64 * 1024 * 1024
MAX_KEY_LEN = 200
MAX_TEXT = 2000


@dataclass(frozen=True)
class StudentError:
    """An exception raised by student code while we probed it."""

    type: str
    message: str
    #: "numpy_nn.py, line 23: return x @ self.W" for the innermost frames in the student's file
    where: tuple[str, ...] = ()
    #: True when our time limit for the step stopped the code, not an exception of its own
    timeout: bool = False

    def describe(self) -> str:
        if self.timeout:
            return self.message
        text = f"{self.type}: {self.message}" if self.message else self.type
        if self.where:
            text += f" ({self.where[-1]})"
        return text


@dataclass(frozen=True)
class Observation:
    """One named thing the probe saw: an array, a JSON value, or the error that prevented seeing it."""

    key: str
    array: np.ndarray | None = None
    value: Any = None
    error: StudentError | None = None
    #: what produced it, for messages: {"call": "NPLinear(5, 3).forward(x of shape (4, 5))", "what": "output"}
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Observations:
    """Everything a run reported, by key, plus which probe steps started and finished."""

    items: dict[str, Observation] = field(default_factory=dict)
    started: list[str] = field(default_factory=list)
    finished: dict[str, str] = field(default_factory=dict)
    #: the run's closing line was seen: the probe got to the end of its work
    complete: bool = False
    #: why the record cannot be trusted (the submission altered it or the grader's code), or ""
    tampered: str = ""
    #: library attributes the script replaced, which the probe restored before probing (e.g. "numpy.allclose")
    restored: tuple[str, ...] = ()

    def get(self, key: str) -> Observation | None:
        return self.items.get(key)

    def matching(self, pattern: str) -> list[str]:
        """Keys matching `pattern`, where a trailing `[*]` stands for any bracketed suffix."""
        if pattern.endswith("[*]"):
            prefix = pattern[:-2]
            return sorted(k for k in self.items if k.startswith(prefix) and k.endswith("]"))
        return [pattern] if pattern in self.items else []

    @property
    def unfinished_step(self) -> str:
        """The step that started but never finished (the process died or was killed in it), if any."""
        for step in reversed(self.started):
            if step not in self.finished:
                return step
        return ""


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
            return np.ascontiguousarray(array)
    return None


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)[:MAX_TEXT]


def read_observations(directory: Path) -> Observations:
    """Parse what a (possibly hostile) run left in `directory`; never raises on bad content."""
    result = Observations()
    index = directory / INDEX
    try:
        if index.is_symlink() or not index.is_file():
            return result
        with open(index, "rb") as handle:
            raw = handle.read(MAX_INDEX_BYTES)
    except OSError:
        return result
    lines = raw.decode("utf-8", errors="replace").split("\n")
    # a run killed in the middle of a write leaves one unfinished last line; that is no tampering
    if lines and lines[-1] and not raw.endswith(b"\n"):
        lines = lines[:-1]
    files: set[str] = set()
    for number, line in enumerate(line for line in lines if line):
        problem = _apply_line(result, line, number, directory, files)
        if problem:
            result.tampered = result.tampered or problem
    if result.tampered:
        # nothing in a record that was tampered with can be trusted, including what it says about steps
        return Observations(tampered=result.tampered, restored=result.restored)
    return result


def _apply_line(result: Observations, line: str, number: int, directory: Path, files: set[str]) -> str:
    """Apply one index line; returns why the record cannot be trusted, or ""."""
    try:
        entry = json.loads(line)
    except ValueError:
        return f"line {number + 1} of the record is not the grader's"
    if not isinstance(entry, dict) or entry.get("seq") != number:
        return f"line {number + 1} of the record is not the grader's"
    if result.complete:
        return "lines were added to the record after the grader finished it"
    kind = entry.get("type")
    if kind == "tampered":
        what = [str(w)[:200] for w in entry.get("what", []) if isinstance(w, str)]
        return ", ".join(what[:5]) if what else "the grader's code"
    if kind == "end":
        result.complete = True
    elif kind == "restored":
        result.restored = tuple(str(n)[:200] for n in entry.get("names", []) if isinstance(n, str))[:50]
    elif kind == "step":
        step, event = entry.get("step"), entry.get("event")
        if isinstance(step, str) and isinstance(event, str):
            if event == "start":
                result.started.append(step)
            else:
                result.finished[step] = event
    elif kind == "obs":
        return _apply_entry(result, entry, directory, files)
    return ""


def _apply_entry(result: Observations, entry: dict[str, Any], directory: Path, files: set[str]) -> str:
    key = entry.get("key")
    if not isinstance(key, str) or len(key) > MAX_KEY_LEN:
        return ""
    meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
    error = _parse_error(entry.get("error"))
    if error is not None:
        result.items[key] = Observation(key, error=error, meta=meta)
    elif isinstance(entry.get("file"), str):
        name = entry["file"]
        if name in files:
            return f"the array file {name[:50]} is used twice in the record"
        files.add(name)
        array, problem = _load_array(directory, name, entry.get("sha256"))
        if problem:
            return problem
        if array is not None:
            result.items[key] = Observation(key, array=array, meta=meta)
    else:
        result.items[key] = Observation(key, value=entry.get("value"), meta=meta)
    return ""


def _parse_error(data: Any) -> StudentError | None:
    if not isinstance(data, dict):
        return None
    where = data.get("where") or ()
    return StudentError(
        type=str(data.get("type", "Error"))[:100],
        message=str(data.get("message", ""))[:MAX_TEXT],
        where=tuple(str(w)[:300] for w in where if isinstance(w, str))[:5],
        timeout=bool(data.get("timeout", False)),
    )


def _load_array(directory: Path, name: str, sha256: Any) -> tuple[np.ndarray | None, str]:
    """(array, "") for a file exactly as the writer wrote it; (None, why) when it was changed since."""
    path = directory / name
    if os.sep in name or name.startswith(".") or not name.endswith(".npy"):
        return None, f"the record names an array file it cannot have written ({name[:50]})"
    try:
        if path.is_symlink() or path.stat().st_size > MAX_ARRAY_BYTES:
            return None, f"the array file {name} was replaced"
        data = path.read_bytes()
    except OSError:
        return None, f"the array file {name} was removed"
    if not isinstance(sha256, str) or hashlib.sha256(data).hexdigest() != sha256:
        return None, f"the array file {name} was changed after the grader wrote it"
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception:
        return None, ""
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        return None, ""
    return (array.astype(np.float64) if array.dtype.kind in "biu" else array), ""
