"""An ordinary user's zygote: root of its own user, mount and PID namespaces.

As root, the zygote creates a fresh PID namespace per run, mounts, and drops capabilities. An ordinary
user may do all of this too, but only inside a user namespace it created: there it is uid 0 with every
capability over the namespaces that user namespace owns (never over the host's). So, when not root,
the zygote first enters a new user namespace (its uid mapped to 0 inside), a new mount namespace with a
/proc of its own and a new PID namespace whose init it becomes. From then on every per-run step is the
one root takes: `setns`+`unshare(CLONE_NEWPID)` per run, `unshare(CLONE_NEWNET)`, the mounts, the
capability drop. The files it may open are still only those of the grading user (the kernel checks the
real uid), so this adds no privilege on the host.

The process that called `enter()` stays outside as a thin waiter: it forwards SIGTERM/SIGINT to the
namespace's init and exits with its status; if the waiter is killed, the init gets SIGKILL
(parent-death signal) and the kernel then kills every process in the namespace. That happens after the
waiter is gone, so the init also learns its own pid outside (`Entered.outer_pid`, from the waiter) and
tells the pool, which can then wait for it: the kernel lets an init end only after every other process
of its namespace has ended.
"""
from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from typing import Callable

from grader.sandbox import linux

#: why a namespace could not be created, as shown by `grader doctor` and the refusal message
USERNS_DISABLED = ("unprivileged user namespaces are disabled by the kernel or a security policy "
                   "(sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone, "
                   "kernel.apparmor_restrict_unprivileged_userns, or a container's seccomp profile)")
_MAX_USER_NAMESPACES = "/proc/sys/user/max_user_namespaces"


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)


def map_own_ids(uid: int, gid: int, inside_uid: int = 0, inside_gid: int = 0) -> None:
    """Map our outer uid/gid to `inside_*` in the user namespace we just entered (the only mapping an
    unprivileged process may write for itself; setgroups must be denied before the gid map)."""
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{inside_uid} {uid} 1")
    _write("/proc/self/gid_map", f"{inside_gid} {gid} 1")


@dataclass(frozen=True)
class Entered:
    """What `enter()` achieved."""

    #: "" when the namespaces were entered, else why not
    problem: str
    #: the pid of the process that returned from `enter()`, as the processes outside see it (in the
    #: parent PID namespace); 0 when unknown
    outer_pid: int


def enter(on_outer_exit: Callable[[], None] = lambda: None) -> Entered:
    """Become the init of new user + mount + PID namespaces.

    Must be called while the process is single-threaded (before any preload import). On success only
    the new init returns here; the original process waits for it, calls `on_outer_exit` and exits
    with its status.
    """
    uid, gid = os.geteuid(), os.getegid()
    try:
        linux.unshare(linux.CLONE_NEWUSER | linux.CLONE_NEWNS | linux.CLONE_NEWPID)
    except OSError as error:
        return Entered(f"{error.strerror or error}: {USERNS_DISABLED}", os.getpid())
    try:
        map_own_ids(uid, gid)
        linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    except OSError as error:
        return Entered(f"cannot set up the user namespace: {error}", os.getpid())
    # inside, the init is pid 1; only the waiter knows its pid outside, and tells it through this pipe
    pid_read, pid_write = os.pipe()
    init = os.fork()
    if init != 0:
        os.close(pid_read)
        os.write(pid_write, str(init).encode("ascii"))
        os.close(pid_write)
        _wait_as_outer(init, on_outer_exit)  # never returns
    os.close(pid_write)
    # (getppid() is 0 here: the waiter lives outside our PID namespace; should it die before this line,
    # the init still ends with the pool, on EOF of its control pipe)
    linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
    told = os.read(pid_read, 32)  # b"" if the waiter died first
    os.close(pid_read)
    try:
        # our PID namespace's own /proc: pids read from it match the pids fork() returns
        linux.mount("proc", "/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
    except OSError:
        pass  # per-run /proc mounts will fail too and be reported as a read-only filesystem gap
    return Entered("", int(told) if told.isdigit() else 0)


def _wait_as_outer(init: int, on_exit: Callable[[], None]) -> None:
    """The original process: hand the protocol pipes to the init, forward stop signals, mirror its exit."""
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)  # the pool sees EOF on its reply pipe as soon as the init is gone
    os.close(null)

    def forward(signum: int, frame: object) -> None:
        try:
            os.kill(init, signum)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    _, status = os.waitpid(init, 0)
    try:
        on_exit()
    finally:
        os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


def user_namespaces_allowed() -> tuple[bool, str]:
    """Whether this kernel lets an ordinary user create user namespaces, from a throwaway child."""
    try:
        with open(_MAX_USER_NAMESPACES, encoding="ascii") as handle:
            if int(handle.read()) == 0:
                return False, f"{_MAX_USER_NAMESPACES} is 0"
    except (OSError, ValueError):
        pass
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        try:
            linux.unshare(linux.CLONE_NEWUSER)
            os.write(write, b"ok")
        except OSError as error:
            os.write(write, str(error).encode()[:200])
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 256).decode(errors="replace")
    os.close(read)
    os.waitpid(child, 0)
    return (True, "") if answer == "ok" else (False, f"{answer}: {USERNS_DISABLED}")


def running_as_root() -> bool:
    return os.geteuid() == 0

