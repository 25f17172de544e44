"""Trusted entry functions for the sandbox tests: each runs the behaviour.py the test put in the workdir.

The behaviours themselves (hostile or not) live in tests/sandbox/files/.
"""
from __future__ import annotations

from pathlib import Path


def run_behaviour(workdir: Path) -> None:
    """Execute workdir/behaviour.py as a script with WORKDIR defined."""
    source = (workdir / "behaviour.py").read_text(encoding="utf-8")
    namespace = {"__name__": "__behaviour__", "WORKDIR": workdir}
    exec(compile(source, str(workdir / "behaviour.py"), "exec"), namespace)


def noop(workdir: Path) -> None:
    """Does nothing: measures the sandbox's own overhead."""


class _Preparations:
    """How many times the warm parent prepared a fork (an object, so a forked child sees the parent's count)."""

    count = 0


PREPARATIONS = _Preparations()


def prepare_fork(workdir: Path) -> None:
    """A `before_fork` hook: counts, in the warm parent, the forks it prepared."""
    PREPARATIONS.count += 1


def refuse_to_prepare(workdir: Path) -> None:
    """A `before_fork` hook with a bug of the trusted side."""
    raise RuntimeError("the preparation failed")
