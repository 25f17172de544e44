"""Per-slot cgroup directories: a process-count limit (pids) and a total-memory limit (memory).

cgroup v1 (a directory per controller) where it is mounted; otherwise cgroup v2 (one directory for both)
where a writable, delegated v2 subtree exists: `$GRADER_CGROUP` (a cgroup the administrator delegated,
e.g. a systemd unit with Delegate=yes, with +pids +memory in its cgroup.subtree_control and no process
of its own), or, for root, a `grader` cgroup made under the v2 root. v2 uses pids.max, memory.max
(swap off via memory.swap.max) and memory.events for out-of-memory kills.

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
#: a delegated cgroup v2 directory to create the slots' cgroups in
BASE_VARIABLE = "GRADER_CGROUP"
_V2_BASE_NAME = "grader"


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


def is_v2(directory: Path) -> bool:
    """A cgroup v2 directory has cgroup.controllers (v1 directories do not)."""
    return (directory / "cgroup.controllers").exists()


def _enabled(directory: Path) -> set[str]:
    try:
        # the kernel lists "memory pids"; the "+" form is what was written (a plain file in the tests' tree)
        return {name.lstrip("+") for name in (directory / "cgroup.subtree_control").read_text().split()}
    except OSError:
        return set()


def _enable_controllers(directory: Path) -> bool:
    """Make pids and memory available to the children of `directory`; True when they are."""
    if set(CONTROLLERS) <= _enabled(directory):
        return True
    try:
        _write(directory / "cgroup.subtree_control", " ".join(f"+{c}" for c in CONTROLLERS))
    except OSError:
        return False
    return set(CONTROLLERS) <= _enabled(directory)


def v2_base(root: Path | None = None) -> Path | None:
    """The delegated cgroup v2 directory the slots' cgroups go in, or None where there is none.

    `$GRADER_CGROUP` if set (must be writable, with pids and memory enabled or enableable for its
    children); else, where the v2 hierarchy is mounted at `root` and we may write its top level (root on a
    v2 host, or a container with its own cgroup namespace), a `grader` directory there.
    """
    root = root or CGROUP_ROOT
    configured = os.environ.get(BASE_VARIABLE)
    if configured:
        base = Path(configured)
        return base if is_v2(base) and os.access(base, os.W_OK) and _enable_controllers(base) else None
    if not is_v2(root) or not os.access(root, os.W_OK) or not set(CONTROLLERS) <= _controllers(root):
        return None
    base = root / _V2_BASE_NAME
    try:
        base.mkdir(exist_ok=True)
    except OSError:
        return None
    # the top level is exempt from the no-internal-processes rule; `grader` itself never holds a process
    return base if _enable_controllers(root) and _enable_controllers(base) else None


def _controllers(directory: Path) -> set[str]:
    try:
        return set((directory / "cgroup.controllers").read_text().split())
    except OSError:
        return set()


def _oom_kills(directory: Path) -> int:
    """The OOM killer's count in a v1 memory cgroup (memory.oom_control)."""
    return _oom_kill_line(directory / "memory.oom_control")


def _v2_oom_kills(directory: Path) -> int:
    """The OOM killer's count in a v2 cgroup (memory.events)."""
    return _oom_kill_line(directory / "memory.events")


def _oom_kill_line(path: Path) -> int:
    """The N of the "oom_kill N" line both cgroup versions write; 0 when the file or the line is missing."""
    try:
        for line in path.read_text().splitlines():
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
    #: cgroup v1 (a directory per controller) or v2 (one directory)
    version: int = 1

    @classmethod
    def create(cls, zygote_pid: int, slot: int, v2_root: Path | None = None) -> "SlotCgroups":
        """Create (or reuse) this slot's directories; missing or read-only controllers become None.

        cgroup v1 where its controllers are mounted and writable, else a delegated cgroup v2 subtree.
        """
        made = cls._create_v1(zygote_pid, slot)
        if made.pids is None and made.memory is None:
            base = v2_base(v2_root)
            if base is not None:
                directory = base / f"{_PREFIX}{zygote_pid}-{slot}"
                try:
                    directory.mkdir(exist_ok=True)
                    return cls(pids=directory, memory=directory, version=2)
                except OSError:
                    pass
        return made

    @classmethod
    def _create_v1(cls, zygote_pid: int, slot: int) -> "SlotCgroups":
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
        return cls(**{c: Path(p) if p else None for c, p in ((c, paths.get(c)) for c in CONTROLLERS)},
                   version=int(paths.get("version") or 1))

    def as_paths(self) -> dict[str, str | None]:
        """The directories as strings, for the zygote's hello message."""
        paths: dict[str, str | None] = {c: str(d) if d else None for c, d in ((c, getattr(self, c)) for c in CONTROLLERS)}
        paths["version"] = str(self.version)
        return paths

    def directories(self) -> list[Path]:
        """The distinct directories (one for both controllers on cgroup v2)."""
        return list(dict.fromkeys(d for d in (self.pids, self.memory) if d is not None))

    def for_run(self, max_tasks: int, memory_bytes: int) -> "SlotCgroups":
        """Set one run's limits; the returned view holds only the controllers whose limit took effect.

        A failed write (e.g. the memory limit below what cached pages of an earlier run still hold)
        only affects this run: its processes do not join that controller, rather than running under
        a stale limit.
        """
        pids = memory = None
        if self.pids is not None:
            try:
                _write(self.pids / "pids.max", str(max_tasks))  # same file name in v1 and v2
                pids = self.pids
            except OSError:
                pass
        if self.memory is not None:
            try:
                self._set_memory_limit(memory_bytes)
                memory = self.memory
            except OSError:
                pass
        return SlotCgroups(pids=pids, memory=memory, version=self.version)

    def _set_memory_limit(self, memory_bytes: int) -> None:
        assert self.memory is not None
        if self.version == 2:
            _write(self.memory / "memory.max", str(memory_bytes))
            if (self.memory / "memory.swap.max").exists():
                _write(self.memory / "memory.swap.max", "0")  # as v1's memsw limit: no way around via swap
            return
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
        joined: dict[Path, bool] = {}
        for controller in CONTROLLERS:
            directory = getattr(self, controller)
            if directory is None:
                continue
            if directory not in joined:  # v2: one directory, one write
                try:
                    _write(directory / "cgroup.procs", "0")
                    joined[directory] = True
                except OSError:
                    joined[directory] = False
            if not joined[directory]:
                refused.append(controller)
        return refused

    def oom_kills(self) -> int:
        """How many processes the memory controller's OOM killer has killed in this cgroup so far."""
        if self.memory is None:
            return 0
        return _v2_oom_kills(self.memory) if self.version == 2 else _oom_kills(self.memory)

    def prime_next_join(self) -> bool:
        """Make the next run's `join` quick; False when this process may not do it (do not try again).

        Moving a process into a cgroup takes a kernel-wide lock whose writer first waits for an RCU grace
        period, unless another move finished within about one grace period: the keeper's join took 6-14 ms
        in about a third of the runs on this 2-core machine, and 0.02 ms right after another move. So the
        zygote moves itself into the cgroup it is already in (changing nothing) just after it answers a
        run: the wait then overlaps with the grader's work on that result, and the next keeper's join
        finds the lock ready. cgroup v1 only: a v2 zygote may have no write access to its own cgroup.
        """
        controller = "pids" if self.pids is not None else "memory"
        own = own_cgroup(controller) if self.version == 1 and getattr(self, controller) is not None else None
        if own is None:
            return False
        try:
            _write(own / "cgroup.procs", "0")
        except OSError:
            return False
        return True

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
