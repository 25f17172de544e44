"""Time limits inside the sandboxed child, per phase, so one slow step costs only its own checks.

The supervising parent still enforces the hard wall limit; this soft limit lets the child record which
step was too slow and go on with the next one.
"""
from __future__ import annotations

import signal
import time
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
    """Raise StepTimeout in the main thread after `seconds` of wall time.

    Nests: an inner limit never outlasts the outer one, and when it ends the outer timer is re-armed
    with what is left of it (describing a student's exception inside a step must not cancel the step's
    own limit).
    """
    outer_remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()
    if outer_remaining > 0:
        seconds = min(seconds, outer_remaining)
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_remaining > 0:
            # an outer limit that ran out meanwhile fires at once
            left = outer_remaining - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))
