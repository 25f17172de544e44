"""The warm parent of one pool slot: `python -m grader.sandbox.zygote '<config json>'`.

Imports the preload modules once, then serves the line protocol (see `protocol`) on stdin/stdout:
one task line in, one outcome line out, each run in freshly forked processes. It never loads hidden
data itself: whatever it holds in memory, every forked run can read.

config: {"slot": int, "preload": [module, ...], "sys_path": [dir, ...], "rundir": dir,
         "disable": [feature name, ...],   (features named as in isolation; for tests of the fallbacks)
         "reads": [path, ...]}             (what every run reads besides what the zygote imports; see runuid)
"""
from __future__ import annotations

import json
import os
import signal
import sys
import traceback
from pathlib import Path

from grader.sandbox import isolation, linux, protocol, runuid, supervisor, userns
from grader.sandbox.cgroups import CONTROLLERS, SlotCgroups, own_cgroup, remove_stale, v2_base
from grader.sandbox.preload import import_modules


def _take_protocol_fds() -> tuple[int, int]:
    """Move the protocol pipes off fds 0/1, so stray prints of imported libraries cannot corrupt them."""
    control = os.dup(0)
    reply = os.dup(1)
    os.set_inheritable(control, False)
    os.set_inheritable(reply, False)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)  # fd 2 is the zygote's log file
    return control, reply


def _send(fd: int, message: dict) -> None:
    data = protocol.encode(message)
    while data:
        data = data[os.write(fd, data):]


def _read_line(state: supervisor.ZygoteState) -> bytes | None:
    """Next request line, or None at EOF (the pool closed our stdin)."""
    buffer = state.pending_input
    while b"\n" not in buffer:
        chunk = os.read(state.control_fd, 65536)
        if not chunk:
            return None
        buffer += chunk
    line, _, rest = bytes(buffer).partition(b"\n")
    state.pending_input = bytearray(rest)
    return line


def _stop_on_signal(signum: int, frame: object) -> None:
    raise supervisor.ShutdownRequested(f"signal {signum}")


def _slot_cgroups(host_pid: int, slot: int, disabled: set[str]) -> SlotCgroups:
    cgroups = SlotCgroups.create(host_pid, slot)
    for feature, controller in ((isolation.PROCESS_LIMIT, "pids"), (isolation.MEMORY_CGROUP, "memory")):
        directory = getattr(cgroups, controller)
        if feature in disabled and directory is not None:
            setattr(cgroups, controller, None)
            if directory not in cgroups.directories():  # on cgroup v2 the other controller may share it
                directory.rmdir()
    return cgroups


def _start(config: dict, control: int, userns_problem: str | None, host_pid: int) -> tuple[supervisor.ZygoteState, str]:
    """Build the zygote's state; the second value is an error message ("" when ready)."""
    rundir = Path(config["rundir"])
    slot = int(config["slot"])
    disabled = set(config.get("disable", ()))
    if userns_problem is None:  # (inside our own PID namespace, /proc cannot tell whether an owner lives)
        remove_stale([p for p in (*(own_cgroup(c) for c in CONTROLLERS), v2_base()) if p is not None])
    state = supervisor.ZygoteState(
        slot=slot,
        cgroups=_slot_cgroups(host_pid, slot, disabled),
        always_hidden=(str(rundir),),
        pidfile=rundir / f"slot{slot}.pid",
        control_fd=control,
        # inside our own PID namespace the pool cannot use our pids; the kernel kills our runs with us
        own_user_namespace=userns_problem == "",
        nproc_per_run=userns_problem == "" and isolation.PROCESS_LIMIT not in disabled,
    )
    if userns_problem:
        state.notes[isolation.USER_NAMESPACE] = userns_problem
    elif linux.refuse_namespaces:
        state.notes[isolation.USER_NAMESPACE] = "unshare: Operation not permitted: " + userns.USERNS_DISABLED
    # orphans of a run that escaped its process group end up as our children instead of init's
    linux.prctl(linux.PR_SET_CHILD_SUBREAPER, 1)
    if isolation.PROCESS_NAMESPACE in disabled:
        state.static_degraded.append(isolation.PROCESS_NAMESPACE)
    else:
        supervisor.probe_pid_namespace(state)
    try:
        import_modules(list(config.get("preload", ())))
    except BaseException as error:  # noqa: BLE001 - reported to the pool, which reports it per task
        traceback.print_exc()
        return state, f"preload failed: {type(error).__name__}: {error}"
    # (userns_problem is None only for root: an ordinary user's zygote is uid 0 in its own namespace)
    _choose_run_ids(state, userns_problem is None, host_pid, tuple(config.get("reads", ())))
    return state, ""


def _choose_run_ids(state: supervisor.ZygoteState, as_root: bool, host_pid: int, reads: tuple[str, ...]) -> None:
    """Once per zygote, after the preload (so the packages it imported are checked too): may the runs
    have a uid of their own? (see runuid)"""
    unreadable = ""
    if as_root:
        uid, gid = runuid.run_ids_for(host_pid)
        try:
            unreadable = runuid.unreadable_as(uid, gid, runuid.needed_paths(reads))
        except Exception as error:  # noqa: BLE001 - a bug of ours must not stop the zygote: runs keep uid 0
            traceback.print_exc()
            unreadable = f"the check of what other users can read failed ({type(error).__name__}: {error})"
    state.run_ids, why = runuid.decide(as_root, unreadable, host_pid)
    if why:
        state.static_degraded.append(isolation.RUN_UID)
        state.notes[isolation.RUN_UID] = why


def serve(state: supervisor.ZygoteState, reply: int) -> None:
    """Answer requests until EOF on the control pipe."""
    while (line := _read_line(state)) is not None:
        try:
            task = protocol.task_from_dict(protocol.decode(line)["task"])
        except (ValueError, KeyError, TypeError) as error:
            outcome = supervisor.harness_failure(state, f"bad request: {error}")
        else:
            try:
                outcome = supervisor.run(state, task)
            except Exception:  # noqa: BLE001 - a bug of ours; the run is already cleaned up, keep serving
                outcome = supervisor.harness_failure(state, "sandbox supervisor error: " + traceback.format_exc(limit=5))
        _send(reply, {"outcome": protocol.outcome_to_dict(outcome)})
        if state.prime_joins:
            state.prime_joins = state.cgroups.prime_next_join()


def main(argv: list[str]) -> int:
    """Entry point; returns the process exit status."""
    config = json.loads(argv[1])
    pool_pid = os.getppid()
    host_pid = os.getpid()  # names our cgroups; inside our own PID namespace we are pid 1
    if isolation.NAMESPACES_FOR_TEST in config.get("disable", ()):
        linux.refuse_namespaces = True
    # first, while the process is still single-threaded: an ordinary user gets root's tools this way
    userns_problem = None
    outer_pid = host_pid  # our pid as the pool sees it
    if not userns.running_as_root():
        entered = userns.enter(lambda: _cleanup_if_orphaned(config, pool_pid))
        userns_problem, outer_pid = entered.problem, entered.outer_pid
    sys.path[:0] = [p for p in config.get("sys_path", ()) if p not in sys.path]
    control, reply = _take_protocol_fds()
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    state = None
    try:
        state, error = _start(config, control, userns_problem, host_pid)
        hello = {"pid": os.getpid(), "outer_pid": outer_pid, "cgroups": state.cgroups.as_paths(),
                 "degraded": state.static_degraded, "notes": state.notes,
                 "run_uid": state.run_ids[0] if state.run_ids else None}
        _send(reply, {"hello": dict(hello, error=error)})
        if not error:
            serve(state, reply)
    except (supervisor.ShutdownRequested, BrokenPipeError):
        pass
    finally:
        if state is not None:
            state.cgroups.remove(reap=True)
        if os.getppid() != 0:  # 0: we are the init of our own namespaces; the waiter outside cleans up
            _cleanup_if_orphaned(config, pool_pid)
    return 0


def _cleanup_if_orphaned(config: dict, pool_pid: int) -> None:
    if os.getppid() != pool_pid:
        _remove_runtime_files(Path(config["rundir"]), int(config["slot"]))


def _remove_runtime_files(rundir: Path, slot: int) -> None:
    """The pool died without cleaning up: delete our files, and the directory once it is empty."""
    for name in (f"slot{slot}.log", f"slot{slot}.pid"):
        try:
            (rundir / name).unlink()
        except OSError:
            pass
    try:
        rundir.rmdir()
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main(sys.argv))
