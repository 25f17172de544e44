"""The two processes of one sandboxed run, both forked from the zygote's warm image.

keeper   forked by the zygote; when process namespaces work it is the init (pid 1) of a new PID
         namespace, so when it exits the kernel kills every process the run left behind. It builds
         the isolation (session, cgroups, fds, network, mounts, the run's uid, capabilities), forks
         the student process, reaps everything until the student process ends, reports that
         process's wait status, and exits.
student  inherits all of that, adds rlimits, environment and cwd, and calls the entry.

Why two processes: an init process ignores its own default-action signals (a student's abort(),
SIGXCPU from the CPU limit, kill(getpid(), ...)), so the student code must not be the init.

Neither ever returns into the zygote's code: every path ends in os._exit. Both talk to the zygote
only through the status pipe, a few small JSON lines written by trusted code (never by the entry).
"""
from __future__ import annotations

import json
import os
import signal
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader.sandbox import isolation, linux, memwatch
from grader.sandbox.cgroups import SlotCgroups
from grader.sandbox.limits import Limits

#: exit status of the student process when the entry raised
EXIT_ENTRY_RAISED = 70
#: exit status of either process when trusted setup code failed (reported as a harness error)
EXIT_SETUP_FAILED = 71


@dataclass(frozen=True)
class RunSpec:
    """Everything the forked processes need, prepared by the zygote before forking."""

    workdir: Path
    entry: Callable[[Path], object]
    limits: Limits
    hidden_paths: tuple[str, ...]
    log_fd: int
    status_fd: int
    cgroups: SlotCgroups
    #: True when the keeper was forked into a fresh PID namespace
    new_pid_namespace: bool
    #: True when the run gets a user namespace of its own so RLIMIT_NPROC counts only its processes
    separate_process_count: bool = False
    #: the (uid, gid) the run gets instead of uid 0 (as root, where the interpreter allows it; see runuid)
    run_ids: tuple[int, int] | None = None


def _report(status_fd: int, message: dict) -> None:
    """One status line; far below PIPE_BUF, so the write is atomic and never blocks."""
    os.write(status_fd, json.dumps(message).encode("utf-8") + b"\n")


def run_keeper(spec: RunSpec) -> None:
    """Body of the keeper process. Never returns."""
    code = EXIT_SETUP_FAILED
    try:
        degraded, memory_budget = _isolate(spec)
        _report(spec.status_fd, {"degraded": degraded})
        student = os.fork()
        if student == 0:
            run_student(spec, watched=memory_budget is not None)
        if memory_budget is None:
            status, exceeded = _wait_for(student), False
        else:
            status, exceeded = memwatch.wait_watching_memory(student, memory_budget)
        _report(spec.status_fd, {"student_status": status, "memory_exceeded": exceeded})
        code = 0
    except BaseException:  # noqa: BLE001 - whatever happens, report it and never return into the zygote
        try:
            _report(spec.status_fd, {"setup_error": "keeper: " + traceback.format_exc(limit=5)})
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(code)


def _isolate(spec: RunSpec) -> tuple[list[str], int | None]:
    """Apply the process-wide isolation in the order that keeps each step possible.

    Returns the degraded feature names, and the memory budget in bytes the keeper must watch itself
    (None when the memory cgroup does that).
    """
    # if the zygote dies, the run dies with it (in a PID namespace: every process of the run)
    linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
    isolation.reset_signals()
    linux.set_process_name("grader-keeper")
    os.setsid()
    degraded = []
    # first, so every process the run creates is counted and can be found
    refused = spec.cgroups.join()
    if "pids" in refused:
        degraded.append(isolation.PROCESS_LIMIT)
    if "memory" in refused:
        degraded.append(isolation.MEMORY_CGROUP)
    watch = spec.cgroups.memory is None or "memory" in refused
    memory_budget = spec.limits.memory_mb * 1024 * 1024 if watch and spec.new_pid_namespace else None
    isolation.redirect_stdio(spec.log_fd, keep_fds=(spec.status_fd,))
    if (problem := isolation.isolate_network()) is not None:
        degraded.append(problem)
    degraded += isolation.build_filesystem(
        str(spec.workdir),
        spec.hidden_paths,
        isolation.tmp_size_mb(spec.limits),
        fresh_proc=spec.new_pid_namespace,
        proc_writable=spec.separate_process_count,
        reachable_by=spec.run_ids,
    )
    if not spec.new_pid_namespace:
        # orphans of the run become our children, so we can reap them (the PID namespace does this otherwise)
        linux.prctl(linux.PR_SET_CHILD_SUBREAPER, 1)
    if spec.separate_process_count:
        # the run's own user namespace: RLIMIT_NPROC then counts only this run's processes
        if (problem := isolation.separate_process_count()) is not None:
            degraded.append(problem)
    run_ids = spec.run_ids
    if run_ids is not None and (problem := isolation.give_workdir(str(spec.workdir), *run_ids)) is not None:
        degraded.append(problem)
        run_ids = None
    degraded += isolation.drop_privileges(run_ids)
    return degraded, memory_budget


def _wait_for(student: int) -> int:
    """Reap children until the student process has ended; return its raw wait status."""
    while True:
        pid, status = os.waitpid(-1, 0)
        if pid == student:
            return status


def run_student(spec: RunSpec, watched: bool = False) -> None:
    """Body of the student process: last limits, then the entry. Never returns.

    `watched`: the keeper sums this run's memory from /proc/<pid>/smaps_rollup, which it may read only
    for a dumpable process of its own uid (it has no capabilities left); the keeper itself stays not
    dumpable, and the run's PID namespace hides these processes from every other run.
    """
    try:
        linux.set_process_name("grader-run")
        if watched:
            linux.prctl(linux.PR_SET_DUMPABLE, 1)
        isolation.apply_rlimits(spec.limits)
        isolation.scrub_environment(spec.workdir)
        isolation.single_thread_libraries()
        os.chdir(spec.workdir)
        isolation.reopen_python_stdio()
        os.close(spec.status_fd)
    except BaseException:  # noqa: BLE001
        try:
            _report(spec.status_fd, {"setup_error": "student: " + traceback.format_exc(limit=5)})
        finally:
            os._exit(EXIT_SETUP_FAILED)
    os._exit(_call_entry(spec.entry, spec.workdir))


def _call_entry(entry: Callable[[Path], object], workdir: Path) -> int:
    """Run the entry; map its ending to an exit status the way the Python interpreter would."""
    try:
        entry(workdir)
        code = 0
    except SystemExit as stop:
        code = _system_exit_code(stop)
    except BaseException:  # noqa: BLE001 - the student's exception, reported in the log
        code = EXIT_ENTRY_RAISED
        try:
            traceback.print_exc()
        except BaseException:  # noqa: BLE001 - e.g. the log hit the file-size limit
            pass
    _flush_stdio()
    return code


def _system_exit_code(stop: SystemExit) -> int:
    if stop.code is None:
        return 0
    if isinstance(stop.code, int):
        return stop.code & 0xFF
    try:
        print(stop.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001
        pass
    return 1


def _flush_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001
            pass
