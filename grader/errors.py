"""Errors the grader reports to the instructor as one clear line, never as a traceback."""
from __future__ import annotations


class GradingError(Exception):
    """Input the grader cannot work with (unknown assignment, empty folder, broken rubric); a clear message."""


class IsolationRefused(GradingError):
    """This machine cannot isolate student code (and weak isolation was not allowed); exit status 3."""
