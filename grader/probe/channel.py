"""The observation channel: how a sandboxed run reports what it saw, and how the trusted side reads it.

The child appends one JSON object per line to `observations/index.jsonl` and stores arrays as `.npy` files
next to it. Nothing is pickled. The reader treats the directory as hostile: malformed lines, oversized or
object-dtype arrays and unknown fields are ignored rather than trusted.
"""
from __future__ import annotations

import json
import math
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

    def _write(self, entry: dict[str, Any]) -> None:
        self._index.write(json.dumps(entry, allow_nan=True) + "\n")
        self._index.flush()

    def record(self, key: str, value: Any, meta: dict[str, Any] | None = None) -> None:
        """Record an array (any numeric array-like) or a JSON-able value under `key`."""
        entry: dict[str, Any] = {"type": "obs", "key": key, "meta": meta or {}}
        array = _as_numeric_array(value)
        if array is not None:
            self._count += 1
            name = f"{self._count:05d}.npy"
            np.save(self.directory / name, array, allow_pickle=False)
            entry["file"] = name
        else:
            entry["value"] = _jsonable(value)
        self._write(entry)

    def record_error(self, key: str, error: StudentError, meta: dict[str, Any] | None = None) -> None:
        self._write({"type": "obs", "key": key, "meta": meta or {}, "error": error.__dict__})

    def step(self, name: str, event: str) -> None:
        """event: "start", or how it ended: "done", "timeout", "error"."""
        self._write({"type": "step", "step": name, "event": event})


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
    for line in raw.decode("utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            _apply_entry(result, entry, directory)
    return result


def _apply_entry(result: Observations, entry: dict[str, Any], directory: Path) -> None:
    if entry.get("type") == "step":
        step, event = entry.get("step"), entry.get("event")
        if isinstance(step, str) and isinstance(event, str):
            if event == "start":
                result.started.append(step)
            else:
                result.finished[step] = event
        return
    key = entry.get("key")
    if entry.get("type") != "obs" or not isinstance(key, str) or len(key) > MAX_KEY_LEN:
        return
    meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
    error = _parse_error(entry.get("error"))
    if error is not None:
        result.items[key] = Observation(key, error=error, meta=meta)
    elif isinstance(entry.get("file"), str):
        array = _load_array(directory, entry["file"])
        if array is not None:
            result.items[key] = Observation(key, array=array, meta=meta)
    else:
        result.items[key] = Observation(key, value=entry.get("value"), meta=meta)


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


def _load_array(directory: Path, name: str) -> np.ndarray | None:
    path = directory / name
    if os.sep in name or name.startswith(".") or not name.endswith(".npy"):
        return None
    try:
        if path.is_symlink() or path.stat().st_size > MAX_ARRAY_BYTES:
            return None
        array = np.load(path, allow_pickle=False)
    except Exception:
        return None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        return None
    return array.astype(np.float64) if array.dtype.kind in "biu" else array


def finite_or_none(x: float) -> float | None:
    """JSON has no NaN/inf; keep numbers readable in details."""
    return x if math.isfinite(x) else None
