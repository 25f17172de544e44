"""The zygote's side of one run: fork the keeper, enforce the wall limit, collect the facts, clean up."""
from __future__ import annotations

import importlib
import json
import os
import select
import signal
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from grader.sandbox import child, isolation, linux, output
from grader.sandbox.cgroups import SlotCgroups
from grader.sandbox.preload import import_modules
from grader.sandbox.task import SandboxOutcome, SandboxTask

#: the keeper counts against the pids limit too; the student gets max_processes for itself
_KEEPER_TASKS = 1
_CLEANUP_SECONDS = 5.0


class ShutdownRequested(BaseException):
    """The pool closed the zygote's stdin (or asked it to stop) while a run was in progress."""


@dataclass
class ZygoteState:
    """What persists in the zygote between runs."""

    slot: int
    cgroups: SlotCgroups
    #: extra paths every run must not see (the pool's runtime directory)
    always_hidden: tuple[str, ...]
    #: where the current keeper's pid is written, so the pool can kill it if the zygote dies
    pidfile: Path
    #: the pool's control pipe; readable while a run is in progress only when the pool went away
    control_fd: int
    static_degraded: list[str] = field(default_factory=list)
    #: True when the zygote is the init of its own user namespace (an ordinary user; see userns.py)
    own_user_namespace: bool = False
    #: True when each run gets a user namespace of its own, so that RLIMIT_NPROC counts only its processes
    nproc_per_run: bool = False
    #: feature name -> why it is missing, for features whose absence has a known reason
    notes: dict[str, str] = field(default_factory=dict)
    #: the (uid, gid) every run gets instead of uid 0, or None (see runuid)
    run_ids: tuple[int, int] | None = None
    own_pid_namespace: int | None = None
    #: False once priming the next run's cgroup join failed (see SlotCgroups.prime_next_join)
    prime_joins: bool = True
    zygote_pid: int = field(default_factory=os.getpid)
    entries: dict[str, Callable[[Path], object]] = field(default_factory=dict)
    #: bytes read from the control pipe during a run (normally none)
    pending_input: bytearray = field(default_factory=bytearray)


def resolve_entry(state: ZygoteState, entry: str) -> Callable[[Path], object]:
    """Import "package.module:function" in the zygote (once), so forked children pay nothing."""
    if entry not in state.entries:
        module_name, _, attribute = entry.partition(":")
        target: object = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
        if not callable(target):
            raise TypeError(f"entry {entry} is not callable")
        state.entries[entry] = target  # type: ignore[assignment]
    return state.entries[entry]


def probe_pid_namespace(state: ZygoteState) -> None:
    """Keep a handle on our own PID namespace, or record that new ones cannot be made."""
    try:
        state.own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
        _enter_fresh_pid_namespace(state)
        _leave_pid_namespace(state)
    except OSError:
        state.own_pid_namespace = None
        state.static_degraded.append(isolation.PROCESS_NAMESPACE)


def _enter_fresh_pid_namespace(state: ZygoteState) -> bool:
    """Make our next fork the init of a brand-new PID namespace.

    unshare(CLONE_NEWPID) works only once per "children's namespace", so first point that back at
    our own namespace with setns; then every run gets a fresh one.
    """
    if state.own_pid_namespace is None:
        return False
    linux.setns(state.own_pid_namespace, linux.CLONE_NEWPID)
    linux.unshare(linux.CLONE_NEWPID)
    return True


def _leave_pid_namespace(state: ZygoteState) -> None:
    if state.own_pid_namespace is not None:
        linux.setns(state.own_pid_namespace, linux.CLONE_NEWPID)


def run(state: ZygoteState, task: SandboxTask) -> SandboxOutcome:
    """One complete run; never raises for anything the untrusted code does."""
    try:
        import_modules(task.limits.preload)
        entry = resolve_entry(state, task.entry)
        # real paths: the mount steps compare paths, and mount(2) resolves symlinks anyway
        task = replace(
            task,
            workdir=Path(os.path.realpath(task.workdir)),
            hidden_paths=tuple(Path(os.path.realpath(p)) for p in task.hidden_paths),
        )
        if task.before_fork:
            resolve_entry(state, task.before_fork)(task.workdir)
        log_fd = output.create_log(task.workdir)
    except Exception as error:  # noqa: BLE001 - trusted side misconfigured: not the student's fault
        return harness_failure(state, f"cannot prepare the run: {type(error).__name__}: {error}")
    try:
        return _fork_and_supervise(state, task, entry, log_fd)
    finally:
        os.close(log_fd)


def _fork_and_supervise(state: ZygoteState, task: SandboxTask, entry: Callable[[Path], object], log_fd: int) -> SandboxOutcome:
    limits = task.limits
    run_cgroups = state.cgroups.for_run(limits.max_processes + _KEEPER_TASKS, limits.memory_mb * 1024 * 1024)
    degraded = state.static_degraded + _cgroup_degraded(run_cgroups, state)
    oom_before = state.cgroups.oom_kills()
    status_read, status_write = os.pipe2(os.O_CLOEXEC)
    spec = dict(
        workdir=task.workdir,
        entry=entry,
        limits=limits,
        hidden_paths=tuple(str(p) for p in task.hidden_paths) + state.always_hidden,
        log_fd=log_fd,
        status_fd=status_write,
        cgroups=run_cgroups,
    )
    started = time.perf_counter()
    try:
        keeper = _spawn_keeper(state, spec, degraded)
    except OSError as error:
        return harness_failure(state, f"cannot fork: {error}")
    finally:
        os.close(status_write)  # in the zygote; the keeper has its own copy
    try:
        _write_pidfile(state.pidfile, keeper, state.own_user_namespace)
        timed_out = _wait(state, keeper, started + limits.wall_seconds)
    except BaseException:
        # shutdown or an error of our own: the run must not outlive this zygote
        _collect_after_kill(state, keeper)
        _clear_pidfile(state.pidfile)
        os.close(status_read)
        raise
    status, rusage = _collect_after_kill(state, keeper)
    wall = time.perf_counter() - started
    _clear_pidfile(state.pidfile)
    text, truncated = output.read_head(log_fd, limits.output_kb * 1024)
    return _outcome(
        keeper_status=status,
        messages=_read_status(status_read),
        rusage=rusage,
        wall=wall,
        timed_out=timed_out,
        output_text=text,
        truncated=truncated,
        degraded=degraded,
        memory_killed=state.cgroups.oom_kills() > oom_before,
    )


def _spawn_keeper(state: ZygoteState, spec: dict, degraded: list[str]) -> int:
    """Fork the keeper (into a fresh PID namespace when possible); return its pid. The child never returns."""
    try:
        in_new_namespace = _enter_fresh_pid_namespace(state)
    except OSError:
        in_new_namespace = False
        degraded.append(isolation.PROCESS_NAMESPACE)
    _flush_python_stdio()
    try:
        keeper = os.fork()
    except OSError:
        _leave_pid_namespace(state)
        raise
    if keeper == 0:
        # (not getpid() to tell the two apart: a zygote that is the init of its own namespace and a keeper
        # that is the init of the run's are both pid 1)
        child.run_keeper(child.RunSpec(new_pid_namespace=in_new_namespace,
                                       separate_process_count=state.nproc_per_run and spec["cgroups"].pids is None,
                                       run_ids=state.run_ids, **spec))
    _leave_pid_namespace(state)
    return keeper


def _cgroup_degraded(cgroups: SlotCgroups, state: ZygoteState) -> list[str]:
    """Limits without their cgroup, unless a substitute covers them: RLIMIT_NPROC in the run's own user
    namespace (the keeper reports if that fails) and the keeper's memory watch (needs a PID namespace)."""
    missing = []
    if cgroups.pids is None and not state.nproc_per_run:
        missing.append(isolation.PROCESS_LIMIT)
    if cgroups.memory is None and state.own_pid_namespace is None:
        missing.append(isolation.MEMORY_CGROUP)
    return missing


def _flush_python_stdio() -> None:
    """Nothing buffered in the zygote may be written out a second time by a child."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


def _wait(state: ZygoteState, keeper: int, deadline: float) -> bool:
    """Block until the keeper exits (False) or the wall limit passes (True).

    Also watches the control pipe: EOF there means the pool is gone, and the run must not outlive it.
    """
    pidfd = os.pidfd_open(keeper)
    try:
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return True
            ready, _, _ = select.select([pidfd, state.control_fd], [], [], remaining)
            if pidfd in ready:
                return False
            if state.control_fd in ready:
                data = os.read(state.control_fd, 65536)
                if not data:
                    raise ShutdownRequested("control pipe closed")
                state.pending_input += data
    finally:
        os.close(pidfd)


def _kill_run(state: ZygoteState, keeper: int) -> None:
    """SIGKILL the keeper and its process group (inside a PID namespace, killing the keeper kills everything)."""
    try:
        os.killpg(keeper, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.kill(keeper, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _collect(keeper: int) -> tuple[int, os.struct_rusage | None]:
    try:
        _, status, rusage = os.wait4(keeper, 0)
        return status, rusage
    except ChildProcessError:
        return 0, None


def _collect_after_kill(state: ZygoteState, keeper: int) -> tuple[int, os.struct_rusage | None]:
    """Reap the keeper, then make sure nothing of the run is left.

    The group is killed while the keeper is still unreaped, so its pid (the group id) cannot have been
    reused by an unrelated process.
    """
    _kill_run(state, keeper)
    status, rusage = _collect(keeper)
    state.cgroups.kill_all(timeout=_CLEANUP_SECONDS, reap=True)
    _kill_leftover_children()
    return status, rusage


def _kill_leftover_children() -> None:
    """We are a child subreaper: anything of the run orphaned outside a PID namespace ends up here."""
    deadline = time.monotonic() + _CLEANUP_SECONDS
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        for leftover in _children():
            try:
                os.kill(leftover, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.002)


def _children() -> list[int]:
    me = os.getpid()
    try:
        return [int(p) for p in Path(f"/proc/{me}/task/{me}/children").read_text().split()]
    except OSError:
        return []


def _write_pidfile(path: Path, pid: int, own_namespace: bool = False) -> None:
    """'<pid> <start time>': the start time lets the pool check the pid was not reused before it kills.

    Not written from inside our own PID namespace: its pids mean other processes to the pool, and the
    kernel kills every run there when this zygote dies anyway.
    """
    if own_namespace:
        return
    path.write_text(f"{pid} {process_start_time(pid)}")


def process_start_time(pid: int) -> int:
    """Field 22 of /proc/<pid>/stat (clock ticks after boot), or -1 when the process is gone."""
    return proc_stat_field(pid, 22)


def proc_stat_field(pid: int, field: int) -> int:
    """Numeric field `field` (numbered from 1, as in proc(5)) of /proc/<pid>/stat, or -1 when the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return -1
    # the command name (field 2) may contain spaces and parentheses; fields after it are plain, from field 3
    return int(stat[stat.rindex(")") + 2:].split()[field - 3])


def _clear_pidfile(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _read_status(fd: int) -> list[dict]:
    """Every status line the keeper and student managed to write (the writers are all gone by now)."""
    os.set_blocking(fd, False)
    data = bytearray()
    try:
        while chunk := os.read(fd, 65536):
            data += chunk
    except BlockingIOError:
        pass
    finally:
        os.close(fd)
    messages = []
    for line in bytes(data).splitlines():
        try:
            messages.append(json.loads(line))
        except ValueError:
            pass
    return messages


def _outcome(
    *,
    keeper_status: int,
    messages: list[dict],
    rusage: os.struct_rusage | None,
    wall: float,
    timed_out: bool,
    output_text: str,
    truncated: bool,
    degraded: list[str],
    memory_killed: bool,
) -> SandboxOutcome:
    """Turn the collected facts into an outcome; the student's status wins over the keeper's."""
    for message in messages:
        degraded += [d for d in message.get("degraded", ()) if d not in degraded]
    setup_errors = [m["setup_error"] for m in messages if "setup_error" in m]
    memory_killed = memory_killed or any(m.get("memory_exceeded") for m in messages)
    student = [m["student_status"] for m in messages if "student_status" in m]
    status = student[0] if student and not timed_out else keeper_status
    exit_code, killed_by = _decode_status(status)
    if timed_out:
        exit_code, killed_by = None, signal.SIGKILL
    return SandboxOutcome(
        exit_code=exit_code,
        signal=killed_by,
        wall_s=round(wall, 4),
        cpu_s=round(rusage.ru_utime + rusage.ru_stime, 4) if rusage else 0.0,
        max_rss_mb=round(rusage.ru_maxrss / 1024, 1) if rusage else 0.0,
        timed_out=timed_out,
        output=output_text,
        output_truncated=truncated,
        degraded=tuple(degraded),
        harness_error="; ".join(setup_errors) if setup_errors and not timed_out else "",
        memory_killed=memory_killed,
    )


def _decode_status(status: int) -> tuple[int | None, int | None]:
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status), None
    return None, None


def harness_failure(state: ZygoteState, message: str) -> SandboxOutcome:
    return SandboxOutcome(
        exit_code=None,
        signal=None,
        wall_s=0.0,
        cpu_s=0.0,
        max_rss_mb=0.0,
        timed_out=False,
        degraded=tuple(state.static_degraded),
        harness_error=message,
    )
