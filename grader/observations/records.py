"""What one run observed, as the checks see it (built by `grader.observations.reader` only)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

# The wire type of an exception is defined by the writer (sandbox side); the trusted side only reads it.
from grader.record_format import StudentError

__all__ = ["Observation", "Observations", "StudentError"]


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
    #: bytes the kept values take in memory after conversion (bounded by the reader's budget)
    size_bytes: int = 0

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
