"""Time limits inside the sandboxed child, per phase, so one slow step costs only its own checks.

The supervising parent still enforces the hard wall limit; this soft limit lets the child record which
step was too slow and go on with the next one.
"""
from __future__ import annotations

import signal
from contextlib import contextmanager
from typing import Iterator


class StepTimeout(BaseException):
    """Raised inside student code when a probe step exceeds its time limit.

    A BaseException so that `except Exception:` in student code does not swallow it.
    """


def _raise_timeout(signum, frame):  # noqa: ARG001 - signal handler signature
    raise StepTimeout()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise StepTimeout in the main thread after `seconds` of wall time."""
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
