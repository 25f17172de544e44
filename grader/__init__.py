"""grader: sandboxed, behavioural autograding for deep-learning coursework.

    import grader
    gradebook = grader.grade("submissions/", assignment="hw1", out="grading")
"""
from __future__ import annotations

from typing import Any

from grader.version import __version__

__all__ = ["grade", "__version__"]


def __getattr__(name: str) -> Any:
    # Imported on first use: sandbox processes import grader.* modules and must not pay for pandas here.
    if name == "grade":
        from grader.run import grade

        return grade
    raise AttributeError(name)
