"""What isolation this machine gives a sandboxed run, established once by running a trivial task.

The sandbox applies what the kernel allows and records what it could not (`SandboxOutcome.degraded`).
Grading must not silently go on without the features that keep a submission away from the network, the
hidden data and the clock: those are *required*; a missing one makes `grader run` refuse (unless told to
grade anyway). The others are *lesser*: a gap there is reported, not fatal.
"""
from __future__ import annotations

import functools
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox import isolation, runuid, userns
from grader.sandbox.limits import Limits
from grader.sandbox.task import SandboxTask

#: the wall-clock kill: if the probe task cannot run at all, nothing can be timed or killed
WALL_CLOCK = "wall-clock kill"
REQUIRED = (isolation.NETWORK, isolation.FS_HIDING, isolation.READ_ONLY, WALL_CLOCK)
LESSER = (isolation.PROCESS_NAMESPACE, isolation.PROCESS_LIMIT, isolation.MEMORY_CGROUP, isolation.CAPABILITIES,
          isolation.RUN_UID)

#: feature -> (what it protects, how to get it where it is missing)
_EXPLAINED = {
    isolation.NETWORK: ("no network: a run cannot send answers out or fetch solutions",
                        "needs a network namespace: run as root, or allow unprivileged user namespaces"),
    isolation.FS_HIDING: ("rubric, reference, held-out data, other students and outputs are hidden",
                          "needs a mount namespace: run as root, or allow unprivileged user namespaces"),
    isolation.READ_ONLY: ("nothing outside the run's work folder can be written; private /tmp and /dev/shm",
                          "needs a mount namespace: run as root, or allow unprivileged user namespaces"),
    WALL_CLOCK: ("a run that never ends is killed at its time limit, with everything it started",
                 "the sandbox could not run a trivial task: see the error"),
    isolation.PROCESS_NAMESPACE: ("a run sees and can signal only its own processes",
                                  "needs a PID namespace: run as root, or allow unprivileged user namespaces"),
    isolation.PROCESS_LIMIT: ("a fork bomb is stopped at the run's process limit",
                              "a writable pids cgroup (root), or a user namespace per run (unprivileged)"),
    isolation.MEMORY_CGROUP: ("the memory of all processes of a run together is limited",
                              "a writable memory cgroup (root), or a PID namespace so the keeper can watch"),
    isolation.CAPABILITIES: ("the run holds no capability and cannot undo its isolation",
                             "needs prctl/capset, which every Linux allows: report this as a bug"),
    isolation.RUN_UID: ("student code runs as a uid of its own, not root: it can read only what every user "
                        "may read, and owns nothing outside its work folder",
                        "build the virtualenv from an interpreter every user can read, e.g. make setup "
                        "PYTHON=/usr/bin/python3 (the checkout and the assignment's probe must be readable "
                        "by every user too)"),
}
_HOW_USERNS = ("allow unprivileged user namespaces (sysctl user.max_user_namespaces=15000; on Ubuntu also "
               "kernel.apparmor_restrict_unprivileged_userns=0), or grade as root inside a container or VM")


@dataclass(frozen=True)
class Feature:
    """One isolation feature as found on this machine."""

    name: str
    active: bool
    required: bool
    protects: str
    #: why it is missing ("" when active)
    why: str = ""
    #: what to do to get it ("" when active)
    how: str = ""
    #: how it is provided, where there is more than one way ("" otherwise)
    via: str = ""


@dataclass(frozen=True)
class MachineIsolation:
    """The result of the one-time check."""

    features: tuple[Feature, ...]
    as_root: bool
    #: set when the trivial probe task could not run at all
    error: str = ""

    @property
    def missing_required(self) -> tuple[Feature, ...]:
        return tuple(f for f in self.features if f.required and not f.active)

    @property
    def missing_lesser(self) -> tuple[Feature, ...]:
        return tuple(f for f in self.features if not f.required and not f.active)

    @property
    def safe(self) -> bool:
        return not self.missing_required

    def refusal(self) -> str:
        """The message `grader run` refuses with: each missing feature, why, and what to do."""
        lines = ["refusing to run student code: this machine cannot isolate it safely. Missing:"]
        for feature in self.missing_required:
            lines.append(f"  - {feature.name} ({feature.protects}): {feature.why}. To fix: {feature.how}.")
        lines.append("Run `grader doctor` for details; `--allow-weak-isolation` grades anyway and marks every "
                     "report and the gradebook as graded with weakened isolation.")
        return "\n".join(lines)

    def weakened(self) -> str:
        """One line for reports and the gradebook ("" when every required feature is active)."""
        names = ", ".join(f.name for f in self.missing_required)
        return f"graded with weakened isolation (missing: {names})" if names else ""

    def lesser_gaps(self) -> str:
        names = ", ".join(f.name for f in self.missing_lesser)
        return f"sandbox isolation gaps on this machine: {names} (see `grader doctor`)" if names else ""


def noop(workdir: Path) -> None:
    """The probe task: does nothing, so only the isolation steps run."""


def _why(name: str, notes: dict[str, str], error: str) -> str:
    if name == WALL_CLOCK:
        return error
    if name in notes:
        return notes[name]
    if name == isolation.RUN_UID:
        return "the run's work folder could not be handed to that uid"
    if isolation.USER_NAMESPACE in notes:
        return notes[isolation.USER_NAMESPACE]
    return "the kernel refused it (not permitted here)"


def mechanisms(cgroups: dict, as_root: bool, run_uid: int | None = None) -> dict[str, str]:
    """How the process and memory limits are enforced and which uid the runs have, from a zygote's hello."""
    version = f"v{cgroups.get('version') or 1}"
    return {
        isolation.PROCESS_LIMIT: f"pids cgroup {version}" if cgroups.get("pids") else
        ("" if as_root else "RLIMIT_NPROC in a user namespace of the run's own"),
        isolation.MEMORY_CGROUP: f"memory cgroup {version}" if cgroups.get("memory") else
        "the run's init sums its processes' memory every 50 ms; RLIMIT_AS per process",
        isolation.RUN_UID: (f"uid {runuid.RUN_ID_BASE} + the pid of the slot's zygote (here {run_uid})"
                            if run_uid is not None else
                            "" if as_root else "your own uid (uid 0 only inside the run's user namespace)"),
    }


def classify(degraded: tuple[str, ...], notes: dict[str, str], error: str, as_root: bool,
             via: dict[str, str] | None = None) -> MachineIsolation:
    """Features from a probe run's degraded names (pure, so it is tested without a machine to match)."""
    missing = set(degraded) | ({WALL_CLOCK} if error else set())
    features = []
    for name in REQUIRED + LESSER:
        protects, how = _EXPLAINED[name]
        active = name not in missing
        if not active and isolation.USER_NAMESPACE in notes and "namespace" in how:
            how = _HOW_USERNS
        features.append(Feature(name, active, name in REQUIRED, protects,
                                "" if active else _why(name, notes, error), "" if active else how,
                                (via or {}).get(name, "") if active else ""))
    return MachineIsolation(tuple(features), as_root, error)


def probe_pool(disable: tuple[str, ...] | None = None):
    """A one-slot pool without preloads, for probing (the caller closes it)."""
    from grader.sandbox.pool import SandboxPool

    return SandboxPool(jobs=1, preload=(), disable=disable)


def inspect_machine(disable: tuple[str, ...] | None = None) -> MachineIsolation:
    """Run one trivial task through a real one-slot pool and classify what it reported. Cached per process."""
    from grader.sandbox import pool

    global _last
    _last = _inspect(tuple(pool.DEFAULT_DISABLE if disable is None else disable))
    return _last


_last: MachineIsolation | None = None


def last_inspection() -> MachineIsolation | None:
    """The result of the latest `inspect_machine` in this process, without probing again."""
    return _last


@functools.lru_cache(maxsize=4)
def _inspect(disable: tuple[str, ...]) -> MachineIsolation:
    work = Path(tempfile.mkdtemp(prefix="grader-isolation-", dir=_scratch_parent()))
    try:
        with probe_pool(disable) as pool:
            outcome = pool.run(SandboxTask(work, "grader.sandbox.machine:noop", Limits(wall_seconds=30.0, preload=())))
            hello = pool._slots[0].hello or {}
            notes = dict(hello.get("notes", {}))
            via = mechanisms(hello.get("cgroups") or {}, os.geteuid() == 0, hello.get("run_uid"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    error = outcome.harness_error or ("" if outcome.exit_code == 0 else f"the probe task ended with {outcome}")
    return classify(outcome.degraded, notes, error, os.geteuid() == 0, via)


def _scratch_parent() -> str | None:
    # not /tmp: every run gets a private /tmp, and the work folder must stay where the zygote put it
    return "/var/tmp" if os.path.isdir("/var/tmp") and os.access("/var/tmp", os.W_OK) else None


def userns_status() -> tuple[bool, str]:
    """For `grader doctor`: may an ordinary user create user namespaces here?"""
    return userns.user_namespaces_allowed()
