"""Student-provided text made inert for every output the grader writes (reports, CSV, terminal).

A hand-in controls many strings that end up in outputs: exception names and messages, reprs of its
values, names of its models and files, its printed output, and (through the LMS) even its id. Before any
of them is written:

- terminal escape sequences are removed and every other control character (C0, C1, DEL, bidirectional
  overrides, line and paragraph separators) is shown as an escape such as ``\\x07``;
- each field is cut to MAX_FIELD_CHARS characters (a message, a value, a name), each line of printed
  output to MAX_OUTPUT_LINE_CHARS, a student id to MAX_ID_CHARS; the cut is marked;
- one-line fields (messages, names, ids) stay on one line, so they cannot start a Markdown block;
- CSV cells a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
  return; the OWASP rule for CSV injection) get a leading apostrophe, so the id stays recognisable.

With these caps no line of a feedback report is longer than MAX_REPORT_LINE_CHARS, escaping included.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from grader.results.check import CheckResult
from grader.results.submission import RunReport, SubmissionResult

#: one message, value, name or note in a report
MAX_FIELD_CHARS = 600
#: one line of a program's captured output in a report
MAX_OUTPUT_LINE_CHARS = 400
#: a student id wherever it is shown
MAX_ID_CHARS = 120
#: strings of a result's `extra` (notebook cell headings, first lines, errors)
MAX_EXTRA_CHARS = 300
#: no line of a Markdown or HTML report is longer than this (two fields, each escaped for HTML, plus the template)
MAX_REPORT_LINE_CHARS = 8000
#: first characters that make a spreadsheet evaluate a cell (OWASP, CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# terminal sequences: CSI (colours, cursor), OSC (titles, hyperlinks, clipboard: up to BEL or ESC \),
# DCS/SOS/PM/APC strings, and two-character escapes
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[@-Z\\-_]?"
)
# every control character but tab and newline, DEL and C1, bidirectional controls, line/paragraph separators
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]")


def _escape_control(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str, *, one_line: bool = True) -> str:
    """`text` without terminal sequences, other control characters escaped; tabs become spaces,
    newlines too when `one_line`."""
    text = _ESCAPE_SEQUENCE.sub("", text.replace("\r\n", "\n"))
    text = text.replace("\r", "\n").replace("\t", " ")
    if one_line:
        text = " ".join(text.split("\n"))
    return _CONTROL.sub(_escape_control, text)


def cut(text: str, limit: int) -> str:
    """`text` shortened to at most `limit` characters, the cut marked."""
    if len(text) <= limit:
        return text
    note = f" … ({len(text) - limit} more characters cut)"
    keep = max(0, limit - len(note))
    return text[:keep] + note[: limit - keep]


def inert_text(text: Any, limit: int = MAX_FIELD_CHARS) -> str:
    """A one-line field: cleaned and cut."""
    return cut(clean(str(text)), limit)


def inert_block(text: Any, limit: int = 4 * MAX_FIELD_CHARS, line_limit: int = MAX_FIELD_CHARS) -> str:
    """A field that may have several lines: each line cleaned and cut, the whole cut too."""
    lines = [cut(line, line_limit) for line in clean(str(text), one_line=False).split("\n")]
    return cut("\n".join(lines), limit)


def inert_output(text: str) -> str:
    """Captured program output: every line cleaned and cut (its total is already bounded by the sandbox)."""
    return "\n".join(cut(line, MAX_OUTPUT_LINE_CHARS) for line in clean(text, one_line=False).split("\n"))


def inert_id(student_id: Any) -> str:
    return inert_text(student_id, MAX_ID_CHARS)


def inert_value(value: Any, depth: int = 0) -> Any:
    """JSON-like data (a result's `extra`) with every string made inert; numbers and structure kept."""
    if isinstance(value, str):
        return inert_text(value, MAX_EXTRA_CHARS)
    if depth > 20:
        return None
    if isinstance(value, Mapping):
        return {inert_text(k, 200) if isinstance(k, str) else k: inert_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(inert_value(v, depth + 1) for v in value)
    return value


def inert_check(check: CheckResult) -> CheckResult:
    return replace(
        check,
        title=inert_text(check.title),
        message=inert_text(check.message),
        expected=inert_block(check.expected),
        observed=inert_block(check.observed),
        hint=inert_block(check.hint),
    )


def inert_result(result: SubmissionResult) -> SubmissionResult:
    """Every student-provided string of `result` made inert, for rendering (the stored result is unchanged).

    The student id is kept as it is: reports and figure folders are named after it, and discovery already
    builds ids from letters, digits, ".", "_" and "-" only (`grader.discover.finder.student_id_for`).
    """
    run = result.run
    return replace(
        result,
        files=tuple(inert_text(f, 300) for f in result.files[:200]),
        run=replace(run, message=inert_text(run.message, 2 * MAX_FIELD_CHARS), last_step=inert_text(run.last_step, 200),
                    stdout_tail=inert_output(run.stdout_tail)) if isinstance(run, RunReport) else run,
        checks=tuple(inert_check(c) for c in result.checks),
        notes=tuple(inert_text(n) for n in result.notes),
        problem=inert_text(result.problem),
        extra=inert_value(result.extra) if isinstance(result.extra, Mapping) else {},
    )


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: control characters escaped, formulas neutralised."""
    if not isinstance(value, str):
        return value
    text = cut(clean(value), MAX_FIELD_CHARS)
    # a leading space does not stop every spreadsheet from evaluating what follows it
    return "'" + text if text.lstrip(" ").startswith(FORMULA_STARTS) else text
