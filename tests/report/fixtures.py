"""Shared loaders for the SubmissionResult fixture files in tests/report/files/.

perfect        alice: every check passed, the manual item graded by a TA
failures       bob: failed checks with figures (points, hist, log-scale line), an error, a hidden failure
timeout        carol: the run hit its time limit; stdout contains HTML and a code fence
pending_manual dave: automatic checks passed, the manual item not graded yet
"""
from __future__ import annotations

import json
from pathlib import Path

from grader.results.submission import SubmissionResult

FILES = Path(__file__).parent / "files"
NAMES = ("perfect", "failures", "timeout", "pending_manual")


def load_result(name: str) -> SubmissionResult:
    """One fixture by file stem, e.g. load_result("failures")."""
    return SubmissionResult.from_json(json.loads((FILES / f"{name}.json").read_text(encoding="utf-8")))


def all_results() -> list[SubmissionResult]:
    """All fixtures, in file order (not sorted by student)."""
    return [load_result(name) for name in NAMES]
