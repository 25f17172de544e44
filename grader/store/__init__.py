"""Persistent grading state (SQLite) and atomic file writes."""
from __future__ import annotations

from grader.store.results import ResultStore

__all__ = ["ResultStore"]
