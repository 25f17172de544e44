"""What a sandboxed run may see and what it must not: the one place that decides it.

Used alike by local grading (grader.run, grader.grading) and by Dask workers
(grader.distributed.dask_runner). The sandbox hides whatever path it is given (grader/sandbox/mounts.py);
this module chooses the paths. Hidden from every run:

- the class: every hand-in folder, the output folder with the result store and reports (`class_paths`);
- the assignment: the real locations of the rubric, reference and mutants (GRADER_HOME may hold only
  links to them), the grader checkout's own rubrics/, reference/, submissions/, tests/ and .git (every
  version of the reference), and archives unpacked for other students (`assignment_paths`);
- the machine: files uid 0 can read without any capability that no run has any business reading
  (`SYSTEM_SECRETS`), and the grading user's home folders except what the interpreter needs
  (`home_paths`).

What stays visible: the interpreter, its packages, the grader's code and the assignment's probe (which
are no secret), matplotlib's cache, the run's own work folder.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

from grader.assignments import cache_root, grader_home
from grader.discover.archive import extraction_root
from grader.sandbox.isolation import interpreter_paths
from grader.sandbox.private import private_home_paths
from grader.rubric import Rubric

#: files uid 0 can read without any capability (owner bits) that no submission has any business reading
SYSTEM_SECRETS = ("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/ssh", "/etc/sudoers.d")
#: folders of a grader checkout (or GRADER_HOME) that hold assignment secrets or other students' work
CHECKOUT_SECRETS = ("rubrics", "reference", "submissions", "tests", ".git")


def _existing(paths: list[Path]) -> tuple[Path, ...]:
    return tuple(sorted({p for p in paths if p.exists()}))


def class_paths(submissions: Path, out: Path) -> tuple[Path, ...]:
    """The class being graded: every hand-in and the outputs (result store, reports, gradebook), and the
    grader's cache (the known mistakes' observations and selftest records)."""
    return _existing([submissions.resolve(), out.resolve(), *checkout_paths(grader_home()), cache_root()])


def checkout_paths(home: Path) -> list[Path]:
    """The secret folders of one grader checkout or assignment home folder."""
    return [home / name for name in CHECKOUT_SECRETS]


def assignment_paths(rubric: Rubric) -> tuple[Path, ...]:
    """The assignment's secrets wherever they really live, this checkout's, and unpacked archives."""
    checkout = Path(__file__).resolve().parent.parent
    candidates = [rubric.path.resolve().parent, rubric.reference.resolve().parent]
    if rubric.mutants is not None:
        candidates.append(rubric.mutants.resolve().parent)
    candidates += checkout_paths(checkout)
    archives = extraction_root()
    if archives is not None:
        candidates.append(archives)
    candidates += [Path(p) for p in SYSTEM_SECRETS]
    return tuple(p for p in candidates if p.exists())


def run_paths(rubric: Rubric) -> tuple[Path, ...]:
    """Everything one run of `rubric` must not see besides its class: assignment, system, home folders."""
    return assignment_paths(rubric) + home_paths(rubric.probe, os.environ.get("HOME", ""),
                                                  os.environ.get("MPLCONFIGDIR", ""))


@functools.lru_cache(maxsize=8)
def home_paths(probe: Path, home: str, mplconfig: str) -> tuple[Path, ...]:
    """The grading user's home folders, hidden except what the sandboxed interpreter needs (the
    interpreter, packages, grader and probe, and matplotlib's font cache and configuration)."""
    home_path = Path(home) if home else Path.home()
    keep = [*interpreter_paths(), str(probe.resolve().parent), mplconfig,
            str(home_path / ".cache" / "matplotlib"), str(home_path / ".config" / "matplotlib")]
    return private_home_paths(keep)


def worker_paths(assignment_home: Path) -> tuple[Path, ...]:
    """On a Dask worker: the copy of the assignment it received, and the worker's own checkout."""
    return _existing([*checkout_paths(assignment_home), *checkout_paths(grader_home())])
