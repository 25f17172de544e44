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
