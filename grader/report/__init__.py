"""Views rendered from graded results: the gradebook, per-student feedback, terminal summaries.

The names below are imported on first use, so code that only needs the gradebook does not pay
for importing matplotlib and Jinja2.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "apply_manual_scores": "grader.report.gradebook",
    "build_gradebook": "grader.report.gradebook",
    "print_summary": "grader.report.summary",
    "render_feedback": "grader.report.feedback",
    "write_feedback": "grader.report.feedback",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'grader.report' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
