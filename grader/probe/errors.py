"""Turn exceptions raised by student code into `StudentError` records a student can act on."""
from __future__ import annotations

import traceback

from grader.probe.channel import StudentError
from grader.probe.limits import StepTimeout, time_limit

MAX_MESSAGE = 500
#: how long the student's own __str__/__repr__ may take when we describe its exception
DESCRIBE_SECONDS = 2.0


class ProcessExit(SystemExit):
    """os._exit called by student code, turned into an exception we can report (see runtime)."""


def safe_text(describe, value: object) -> str:
    """str() or repr() of a student's object: they are the student's code and may raise or never return."""
    try:
        with time_limit(DESCRIBE_SECONDS):
            return describe(value)
    except (Exception, StepTimeout):
        return "(its message could not be shown: turning it into text failed or never finished)"


def student_error(exc: BaseException, student_file: str) -> StudentError:
    """Summarise `exc`, pointing at the innermost lines of the student's own file."""
    frames = traceback.extract_tb(exc.__traceback__)
    name = student_file.rsplit("/", 1)[-1]
    # a notebook's cells are compiled as "<notebook>, cell <n>" (grader.probe.notebook), so the name says which cell
    where = tuple(
        f"{frame.filename.rsplit('/', 1)[-1]}, line {frame.lineno}: {(frame.line or '').strip()}"
        for frame in frames
        if frame.filename == student_file or frame.filename.startswith(student_file + ", cell ")
    )[-3:]
    if isinstance(exc, SyntaxError) and exc.filename == student_file:
        where = (f"{name}, line {exc.lineno}: {(exc.text or '').strip()}",)
        return StudentError("SyntaxError", str(exc.msg)[:MAX_MESSAGE], where)
    # the exception is the student's object: its message, its exit code and even its class name are their code
    message = safe_text(str, exc)
    if isinstance(exc, ProcessExit):
        message = f"the code called os._exit({safe_text(repr, exc.code)})"
    elif isinstance(exc, SystemExit):
        message = f"the code called sys.exit({safe_text(repr, exc.code)})"
    name = safe_text(lambda e: str(type(e).__name__), exc)
    return StudentError(name[:100], message[:MAX_MESSAGE], where)


def timeout_error(seconds: float, doing: str) -> StudentError:
    return StudentError("Timeout", f"Time limit of {seconds:g} s exceeded while {doing}.", timeout=True)
