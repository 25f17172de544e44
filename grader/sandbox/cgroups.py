"""Per-slot cgroup v1 directories: a process-count limit (pids) and a total-memory limit (memory).

Why cgroups: the sandbox runs as root, and RLIMIT_NPROC is never enforced for root. The pids
controller caps the number of tasks of a run and lists every process it created, so nothing escapes
the clean-up; the memory controller caps the run's total resident memory (RLIMIT_AS is per process).

One `SlotCgroups` belongs to one zygote; its directories are named grader-<zygote pid>-<slot>
under the zygote's own cgroup of each controller, so nested setups keep their outer limits.
"""
from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("pids", "memory")
_PREFIX = "grader-"


def own_cgroup(controller: str) -> Path | None:
    """The directory of this process's cgroup for a v1 controller, or None if it is not mounted."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            directory = CGROUP_ROOT / controller / path.lstrip("/")
            return directory if directory.is_dir() else None
    return None


def _write(path: Path, value: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(value)


def read_pids(directory: Path) -> list[int]:
    """The host pids currently in a cgroup (empty when it is gone)."""
    try:
        return [int(line) for line in (directory / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def _oom_kills(directory: Path) -> int:
    try:
        for line in (directory / "memory.oom_control").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
    except (OSError, ValueError):
        pass
    return 0


def kill_all(directories: list[Path], timeout: float = 5.0, reap: bool = False) -> bool:
    """SIGKILL every process in the cgroups until they are empty; True when they are.

    Repeats because a fork bomb can fork between reading cgroup.procs and the kill. With `reap`, exited
    children of the caller are collected meanwhile (only for a caller that has no children of its own
    to keep, such as the zygote after it has waited for the keeper).
    """
    deadline = time.monotonic() + timeout
    while True:
        pids = [pid for directory in directories for pid in read_pids(directory)]
        if not pids:
            return True
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if reap:
            _reap_children()
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)


def _reap_children() -> None:
    """Collect any exited children of this process so they do not linger as zombies."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


@dataclass
class SlotCgroups:
    """The cgroup directories of one slot; a controller maps to None when it is unavailable."""

    pids: Path | None
    memory: Path | None

    @classmethod
    def create(cls, zygote_pid: int, slot: int) -> "SlotCgroups":
        """Create (or reuse) this slot's directories; missing or read-only controllers become None."""
        made: dict[str, Path | None] = {}
        for controller in CONTROLLERS:
            parent = own_cgroup(controller)
            made[controller] = None
            if parent is None:
                continue
            directory = parent / f"{_PREFIX}{zygote_pid}-{slot}"
            try:
                directory.mkdir(exist_ok=True)
                made[controller] = directory
            except OSError:
                pass
        return cls(pids=made["pids"], memory=made["memory"])

    @classmethod
    def from_paths(cls, paths: dict[str, str | None]) -> "SlotCgroups":
        """Rebuild from the paths a zygote reported (the pool uses this to clean up after a dead zygote)."""
        return cls(**{c: Path(p) if p else None for c, p in ((c, paths.get(c)) for c in CONTROLLERS)})

    def as_paths(self) -> dict[str, str | None]:
        """The directories as strings, for the zygote's hello message."""
        return {c: str(d) if d else None for c, d in ((c, getattr(self, c)) for c in CONTROLLERS)}

    def directories(self) -> list[Path]:
        return [d for d in (self.pids, self.memory) if d is not None]

    def for_run(self, max_tasks: int, memory_bytes: int) -> "SlotCgroups":
        """Set one run's limits; the returned view holds only the controllers whose limit took effect.

        A failed write (e.g. the memory limit below what cached pages of an earlier run still hold)
        only affects this run: its processes do not join that controller, rather than running under
        a stale limit.
        """
        pids = memory = None
        if self.pids is not None:
            try:
                _write(self.pids / "pids.max", str(max_tasks))
                pids = self.pids
            except OSError:
                pass
        if self.memory is not None:
            try:
                self._set_memory_limit(memory_bytes)
                memory = self.memory
            except OSError:
                pass
        return SlotCgroups(pids=pids, memory=memory)

    def _set_memory_limit(self, memory_bytes: int) -> None:
        assert self.memory is not None
        swap_limit = self.memory / "memory.memsw.limit_in_bytes"
        # memsw must stay >= the memory limit, so the order of the two writes depends on the direction
        if swap_limit.exists():
            _write(swap_limit, "-1")
        _write(self.memory / "memory.limit_in_bytes", str(memory_bytes))
        if swap_limit.exists():
            _write(swap_limit, str(memory_bytes))

    def join(self) -> list[str]:
        """Move the calling process into every cgroup; return the controllers that refused."""
        refused = []
        for controller in CONTROLLERS:
            directory = getattr(self, controller)
            if directory is None:
                continue
            try:
                _write(directory / "cgroup.procs", "0")
            except OSError:
                refused.append(controller)
        return refused

    def oom_kills(self) -> int:
        """How many processes the memory controller's OOM killer has killed in this cgroup so far."""
        return _oom_kills(self.memory) if self.memory is not None else 0

    def kill_all(self, timeout: float = 5.0, reap: bool = False) -> bool:
        """Kill everything left in this slot's cgroups; True when they are empty afterwards."""
        return kill_all(self.directories(), timeout, reap)

    def remove(self, reap: bool = False) -> None:
        """Kill what is left and delete the directories (best effort; used at shutdown)."""
        self.kill_all(reap=reap)
        for directory in self.directories():
            try:
                directory.rmdir()
            except OSError:
                pass


def remove_stale(controller_parents: list[Path]) -> None:
    """Delete grader-<pid>-<slot> directories whose zygote no longer exists (left by a killed run)."""
    for parent in controller_parents:
        for directory in parent.glob(f"{_PREFIX}*-*"):
            owner = directory.name[len(_PREFIX):].split("-", 1)[0]
            if owner.isdigit() and not Path(f"/proc/{owner}").exists():
                kill_all([directory], timeout=1.0)
                try:
                    directory.rmdir()
                except OSError:
                    pass
