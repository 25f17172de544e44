"""Turn exceptions raised by student code into `StudentError` records a student can act on."""
from __future__ import annotations

import traceback

from grader.probe.channel import StudentError

MAX_MESSAGE = 500


def student_error(exc: BaseException, student_file: str) -> StudentError:
    """Summarise `exc`, pointing at the innermost lines of the student's own file."""
    frames = traceback.extract_tb(exc.__traceback__)
    name = student_file.rsplit("/", 1)[-1]
    where = tuple(
        f"{name}, line {frame.lineno}: {(frame.line or '').strip()}"
        for frame in frames
        if frame.filename == student_file
    )[-3:]
    if isinstance(exc, SyntaxError) and exc.filename == student_file:
        where = (f"{name}, line {exc.lineno}: {(exc.text or '').strip()}",)
        return StudentError("SyntaxError", str(exc.msg)[:MAX_MESSAGE], where)
    message = str(exc)
    if isinstance(exc, SystemExit):
        message = f"the code called sys.exit({exc.code!r})"
    return StudentError(type(exc).__name__, message[:MAX_MESSAGE], where)


def timeout_error(seconds: float, doing: str) -> StudentError:
    return StudentError("Timeout", f"Time limit of {seconds:g} s exceeded while {doing}.", timeout=True)
