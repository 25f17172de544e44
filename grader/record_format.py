"""The observation record's format, shared by the sandbox-side writer (`grader.probe.channel`) and the
trusted reader (`grader.observations`): the index file's name, the bounds both sides apply, and how a
student's exception is described. It imports nothing, so either side may depend on it.
"""
from __future__ import annotations

from dataclasses import dataclass

INDEX = "index.jsonl"
MAX_TEXT = 2000
#: JSON values nested deeper than this are recorded as a description (the reader refuses deeper ones)
MAX_DEPTH = 32


@dataclass(frozen=True)
class StudentError:
    """An exception raised by student code while we probed it."""

    type: str
    message: str
    #: "hw1.py, line 23: return x @ self.W" for the innermost frames in the student's file
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
