"""What a freshly forked sandbox process does to itself before untrusted code runs.

Each function applies one measure. Those that can be unavailable on a machine return the name of
the degraded feature (or None), so the caller can report honestly instead of failing the run.
"""
from __future__ import annotations

import os
import resource
import signal
import sys
import tempfile
from pathlib import Path

from grader.sandbox import linux, mounts, userns
from grader.sandbox.limits import Limits

# names of isolation features, as reported in SandboxOutcome.degraded
NETWORK = "network namespace"
FS_HIDING = "filesystem hiding"
READ_ONLY = "read-only filesystem"
PROCESS_NAMESPACE = "process namespace"
PROCESS_LIMIT = "process limit"
MEMORY_CGROUP = "memory cgroup"
CAPABILITIES = "capability drop"
USER_NAMESPACE = "user namespace"
#: as root, the runs get a uid of their own instead of uid 0 (see runuid)
RUN_UID = "unprivileged uid for student code"
#: not a feature: `disable` this to make every unshare fail, as on a kernel or container that forbids namespaces
NAMESPACES_FOR_TEST = "namespaces"

#: the environment the untrusted code sees, besides HOME and TMPDIR
BASE_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "MPLBACKEND": "Agg",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
}
_TMP_MB_MIN = 16


def reset_signals() -> None:
    """Undo the supervisor's signal handlers; the run gets Python's usual defaults."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)


def redirect_stdio(log_fd: int, keep_fds: tuple[int, ...] = ()) -> None:
    """stdin from /dev/null, stdout and stderr into the log; close every other descriptor but `keep_fds`."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    keep = sorted(fd for fd in keep_fds if fd > 2)
    low = 3
    for fd in keep:
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, _max_fd())


def _max_fd() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


def reopen_python_stdio() -> None:
    """Fresh line-buffered sys.stdout/sys.stderr on fds 1 and 2, so output survives a kill mid-run."""
    for name, fd in (("stdout", 1), ("stderr", 2)):
        stream = open(fd, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)
        setattr(sys, name, stream)
    sys.stdin = open(0, encoding="utf-8", closefd=False)


def isolate_network() -> str | None:
    """A new, empty network namespace (only a down loopback); as non-root it needs a user namespace too."""
    flags = linux.CLONE_NEWNET if os.geteuid() == 0 else linux.CLONE_NEWUSER | linux.CLONE_NEWNET
    try:
        linux.unshare(flags)
    except OSError:
        return NETWORK
    return None


def build_filesystem(workdir: str, hidden: tuple[str, ...], tmp_mb: int, fresh_proc: bool,
                     proc_writable: bool = False, reachable_by: tuple[int, int] | None = None) -> list[str]:
    """Private mount namespace with the view described in `mounts`; returns degraded feature names.

    `proc_writable`: the run's /proc stays writable, as on any ordinary process, because the keeper of an
    ordinary user's run must still write its own /proc/self/uid_map afterwards (separate_process_count).
    `reachable_by`: the (uid, gid) the run will have; the way to the workdir is made passable for it.
    """
    # the folders the mounts create on the way to the workdir must be passable for the run's uid
    umask = os.umask(0o022)
    try:
        return _build_filesystem(workdir, hidden, tmp_mb, fresh_proc, proc_writable, reachable_by)
    finally:
        os.umask(umask)


def _build_filesystem(workdir: str, hidden: tuple[str, ...], tmp_mb: int, fresh_proc: bool,
                      proc_writable: bool, reachable_by: tuple[int, int] | None) -> list[str]:
    try:
        mounts.make_private()
        workdir_fd = mounts.bind_workdir(workdir)
    except OSError:
        return [FS_HIDING, READ_ONLY] if hidden else [READ_ONLY]
    degraded = []
    steps = [
        lambda: mounts.mount_fresh_proc(read_only=not proc_writable) if fresh_proc else None,
        lambda: mounts.minimal_dev(tmp_mb),
        lambda: mounts.remount_all_read_only(keep_writable=(workdir, "/dev/shm", *(["/proc"] if proc_writable else []))),
        lambda: _private_tmp(tmp_mb, workdir, workdir_fd),
    ]
    for step in steps:
        try:
            step()
        except OSError:
            # each step stands alone: a failed one weakens the view but does not undo the others
            if READ_ONLY not in degraded:
                degraded.append(READ_ONLY)
    if mounts.hide_paths(hidden, workdir, workdir_fd):
        degraded.append(FS_HIDING)
    if reachable_by is not None:
        try:
            mounts.make_reachable(workdir, workdir_fd, *reachable_by)
        except OSError:
            pass  # give_workdir then finds the workdir out of the run's reach, and the run keeps uid 0
    os.close(workdir_fd)
    return degraded


def interpreter_paths() -> tuple[str, ...]:
    """Where the interpreter, its packages and the grader live, as the trusted zygote sees them.

    A checkout or virtualenv under /tmp would vanish behind the private /tmp, and every lazy import
    (numpy submodules, matplotlib backends, the probe) would fail; these stay visible, read-only.
    """
    checkout = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    candidates = {sys.prefix, sys.exec_prefix, sys.base_prefix, *sys.path, checkout}
    return tuple(sorted(os.path.realpath(p) for p in candidates if p and os.path.isdir(p)))


def _private_tmp(tmp_mb: int, workdir: str, workdir_fd: int) -> None:
    kept = mounts.open_kept(interpreter_paths(), "/tmp")
    mounts.cover_with_tmpfs("/tmp", tmp_mb, True, workdir, workdir_fd)
    mounts.reexpose_read_only(kept)


def separate_process_count() -> str | None:
    """Enter a user namespace of this run's own (our uid mapped to itself).

    The kernel counts RLIMIT_NPROC per user namespace and uid, so from here on the limit counts only the
    processes of this run (the keeper included), not every process of the grading user. Used where no
    pids cgroup exists; needs no privilege. Returns the degraded feature name on failure.
    """
    try:
        uid, gid = os.geteuid(), os.getegid()
        linux.unshare(linux.CLONE_NEWUSER)
        userns.map_own_ids(uid, gid, uid, gid)
    except OSError:
        return PROCESS_LIMIT
    return None


def give_workdir(workdir: str, uid: int, gid: int) -> str | None:
    """Hand the workdir and everything in it to the run's uid, once the run's view is built.

    Returns RUN_UID (the run must keep uid 0) when the run could not reach its workdir in that view or the
    ownership cannot be changed (a file system without owners).
    """
    if not mounts.reachable(workdir, uid, gid):
        return RUN_UID
    try:
        mounts.chown_tree(workdir, uid, gid)
    except OSError:
        return RUN_UID
    return None


def drop_privileges(run_ids: tuple[int, int] | None = None) -> list[str]:
    """Give up every capability for good and, given `run_ids`, uid 0 too; returns degraded feature names.

    Without capabilities a root process can no longer undo the mounts, enter the host's namespaces,
    or look into other processes (ptrace, /proc/<pid>/root), which all require CAP_SYS_ADMIN or
    CAP_SYS_PTRACE. The securebits and the empty bounding set keep programs it executes from getting
    them back. The uid changes after the bounding set is emptied (that needs CAP_SETPCAP, which the
    change of uid takes away) and before the capabilities are cleared (it needs CAP_SETUID). A uid 0
    without capabilities still owns every root-owned file; the run's uid owns only its workdir.
    """
    degraded = []
    try:
        if os.geteuid() == 0:
            linux.prctl(linux.PR_SET_SECUREBITS, linux.SECBITS_NO_ROOT_PRIVILEGE)
            for capability in range(linux.last_capability() + 1):
                linux.prctl(linux.PR_CAPBSET_DROP, capability)
        if run_ids is not None and not _switch_ids(*run_ids):
            degraded.append(RUN_UID)
        linux.prctl(linux.PR_CAP_AMBIENT, linux.PR_CAP_AMBIENT_CLEAR_ALL)
        linux.clear_capabilities()
        linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
        # not dumpable: other sandboxed processes of the same uid cannot read our memory or /proc entries
        linux.prctl(linux.PR_SET_DUMPABLE, 0)
    except OSError:
        return [*degraded, CAPABILITIES]
    return degraded


def _switch_ids(uid: int, gid: int) -> bool:
    """No supplementary groups, then gid, then uid (real, effective and saved); False when refused."""
    try:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    except OSError:
        return False
    return True


def tmp_size_mb(limits: Limits) -> int:
    """Size of the private /tmp and /dev/shm: what one file may be, but never tiny."""
    return max(limits.file_size_mb, _TMP_MB_MIN)


def apply_rlimits(limits: Limits) -> None:
    """Per-process limits; only lowering, which never needs a capability."""
    cpu = max(1, int(round(limits.effective_cpu_seconds)))
    megabyte = 1024 * 1024
    _lower(resource.RLIMIT_CORE, 0, 0)
    _lower(resource.RLIMIT_CPU, cpu, cpu + 2)
    _lower(resource.RLIMIT_FSIZE, limits.file_size_mb * megabyte, limits.file_size_mb * megabyte)
    _lower(resource.RLIMIT_NOFILE, limits.open_files, limits.open_files)
    # not enforced for the host's uid 0 (the pids cgroup does the real work there); elsewhere it counts the
    # processes of the run's own user namespace, the keeper included (see separate_process_count)
    _lower(resource.RLIMIT_NPROC, limits.max_processes + 1, limits.max_processes + 1)
    # last: everything above may still allocate
    _lower(resource.RLIMIT_AS, limits.memory_mb * megabyte, limits.memory_mb * megabyte)


def _lower(which: int, soft: int, hard: int) -> None:
    """Set a limit, never above the current hard limit (raising it would need CAP_SYS_RESOURCE)."""
    _, current_hard = resource.getrlimit(which)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


def scrub_environment(workdir: Path) -> None:
    """Replace the environment by the fixed minimal one; temp files go to workdir/tmp."""
    tmp = workdir / "tmp"
    try:
        tmp.mkdir(exist_ok=True)
    except OSError:
        tmp = Path("/tmp")  # the run's private /tmp; never fail a run over a convenience
    os.environ.clear()
    os.environ.update(BASE_ENVIRONMENT)
    os.environ["HOME"] = str(workdir)
    os.environ["TMPDIR"] = str(tmp)
    # tempfile caches its directory; the supervisor may have computed it already
    tempfile.tempdir = None
    sys.argv = [""]


def single_thread_libraries() -> None:
    """One torch thread (a forked child must not start a second OpenMP pool; see the feasibility notes)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)
