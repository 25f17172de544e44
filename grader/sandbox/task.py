"""What crosses between the trusted grader and a sandboxed run: a task in, an outcome out.

The trusted side prepares a private work directory (the submission's files, input arrays, a task.json),
the sandbox runs `entry` in a forked, limited child with that directory as cwd, and the trusted side
reads back whatever the child wrote (observations as JSON + .npy, never pickle) after it has exited.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.sandbox.limits import Limits


@dataclass(frozen=True)
class SandboxTask:
    """One run of untrusted code."""

    #: private directory for this run; becomes the child's cwd; the child may write only here
    workdir: Path
    #: "package.module:function", called in the child as function(workdir: Path) with the workdir as cwd;
    #: imported by the warm parent before it forks (must be trusted code)
    entry: str
    limits: Limits
    #: paths the child must not be able to read (other submissions, rubric, reference, output dir)
    hidden_paths: tuple[Path, ...] = ()
    #: "package.module:function" (or ""), called as function(workdir: Path) in the warm parent just before
    #: each fork: trusted preparation that every child would otherwise repeat (must be cheap when nothing
    #: changed; it may read what the trusted side wrote into the workdir, never run what the student did)
    before_fork: str = ""


@dataclass(frozen=True)
class SandboxOutcome:
    """Facts about how the child ended, as measured by the supervising parent (not by the child)."""

    exit_code: int | None
    #: the signal that killed the child, if any (SIGKILL after the wall limit, SIGXCPU, SIGSEGV...)
    signal: int | None
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    #: True when the parent killed the child for exceeding limits.wall_seconds
    timed_out: bool
    #: the first limits.output_kb of everything the child wrote to stdout/stderr
    output: str = ""
    output_truncated: bool = False
    #: isolation features that could not be applied on this machine (e.g. "network namespace")
    degraded: tuple[str, ...] = field(default_factory=tuple)
    #: set when the sandbox machinery itself failed (never the student's fault)
    harness_error: str = ""
    #: True when the memory controller killed a process of this run: all its processes together went over
    #: limits.memory_mb of resident memory (the child then usually shows signal SIGKILL)
    memory_killed: bool = False
    #: True when the supervising process died during the run (killed from outside, or by the run itself where
    #: process isolation is degraded); exit_code, cpu_s and max_rss_mb are then unknown (None, 0, 0) and
    #: signal is the signal that ended the supervisor
    supervisor_lost: bool = False
