"""Write only the feedback reports whose content would change.

Rendering a report is not free: every check that lost points draws its figures with matplotlib (tens of
milliseconds each), so re-rendering a whole class on a rerun where nothing changed cost more than the
rerun itself (a 32-student sample class: about 10 s of a 12 s rerun on 2 cores). A report is a pure function
of the result (after manual scores), the report options and the grader's code and templates, so a digest
of those, kept in the result store, tells whether the files on disk are still what rendering would give.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from grader.fingerprint import code_fingerprint
from grader.report.feedback import write_feedback
from grader.results.submission import SubmissionResult
from grader.store.results import ResultStore


def write_reports(results: list[SubmissionResult], out_dir: Path, store: ResultStore, *, public_only: bool = False,
                  section_titles: Mapping[str, str] | None = None,
                  failures: list[tuple[SubmissionResult, Exception]] | None = None) -> int:
    """`write_feedback` for every result whose report is missing or stale; returns how many were written.

    With `failures`, a report that cannot be written is appended there (with the exception) instead of
    stopping the others. `store` is the run's open store (opening one costs a write transaction: called
    once per submission while a class is graded, that was 2 ms each).
    """
    if not results:
        return 0
    assignment = results[0].assignment
    options = json.dumps({"public_only": public_only, "titles": dict(section_titles or {})}, sort_keys=True)
    known = store.report_digests(assignment)
    written: dict[str, str] = {}
    for result in results:
        digest = _digest(result, options)
        present = (out_dir / f"{result.student_id}.md").is_file() and (out_dir / f"{result.student_id}.html").is_file()
        if known.get(result.student_id) == digest and present:
            continue
        try:
            write_feedback(result, out_dir, public_only=public_only, section_titles=section_titles)
        except Exception as exc:
            if failures is None:
                raise
            failures.append((result, exc))
            continue
        written[result.student_id] = digest
    if written:
        store.set_report_digests(assignment, written)
    return len(written)


def _digest(result: SubmissionResult, options: str) -> str:
    digest = hashlib.sha256(_code_fingerprint().encode() + options.encode())
    digest.update(json.dumps(result.to_json(), sort_keys=True, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """The grader's code and report templates: a change to either renders every report again."""
    return code_fingerprint("*.py", "*.j2")
