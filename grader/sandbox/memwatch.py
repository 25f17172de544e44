"""The keeper's own memory limit for a run, where no memory cgroup does it (an ordinary user, cgroup v2
without delegation).

RLIMIT_AS bounds each process, but a run that forks can use `n x memory_mb` in all. The keeper is the
init of the run's PID namespace, so its /proc lists exactly the run's processes: it sums their
proportional resident memory (pages shared with the warm zygote count only in part, as they cost the
machine only once) and, when the sum passes the budget, kills the largest process, as the memory
cgroup's OOM killer would (a run whose forked worker is killed may go on, exactly as under a cgroup).
Polling means a run can overshoot for up to one interval; RLIMIT_AS keeps each single process within
the limit meanwhile.
"""
from __future__ import annotations

import os
import select
import signal
from pathlib import Path

#: how often the keeper sums the run's memory; runs shorter than this never pay for a check
INTERVAL_SECONDS = 0.05


def run_memory(own_pid: int = 1) -> dict[int, int]:
    """pid -> proportional set size in bytes, for every process in this PID namespace except `own_pid`."""
    sizes = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == own_pid:
            continue
        try:
            text = Path(entry.path, "smaps_rollup").read_text()
        except OSError:
            continue  # gone meanwhile, or a kernel without smaps_rollup (the rlimits still apply)
        for line in text.splitlines():
            if line.startswith("Pss:"):
                sizes[int(entry.name)] = int(line.split()[1]) * 1024
                break
    return sizes


def wait_watching_memory(student: int, budget_bytes: int) -> tuple[int, bool]:
    """Reap children until the student process ends; return its wait status and whether the run was
    killed for going over `budget_bytes` in all."""
    pidfd = os.pidfd_open(student)
    exceeded = False
    try:
        while True:
            status = _reap_until(student)
            if status is not None:
                return status, exceeded
            ready, _, _ = select.select([pidfd], [], [], INTERVAL_SECONDS)
            if not ready:
                sizes = run_memory()
                if sum(sizes.values()) > budget_bytes:
                    exceeded = True
                    _kill(max(sizes, key=sizes.__getitem__))
    finally:
        os.close(pidfd)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _reap_until(student: int) -> int | None:
    """Collect every exited child; the student's wait status once it is among them."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return 0
        if pid == 0:
            return None
        if pid == student:
            return status
