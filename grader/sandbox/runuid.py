"""The uid a root grader's runs get instead of uid 0: one of their own per zygote, never a real account's.

When the grader runs as root, each zygote (one per pool slot) gives its runs the uid and gid
`RUN_ID_BASE + the zygote's pid`. Why this range: real accounts live far below it (system accounts
under 1000, people under 65534, `/etc/subuid` ranges from 100000 in steps of 65536), systemd's
container ranges end at 1879048191 and its "foreign" range starts at 2147352576, and pids are at most
4194304 (`kernel.pid_max`); so the uids 2000000001-2004194304 are no account's, and stay below 2**31
for tools that keep uids in signed integers. Why the zygote's pid and not the slot number: slot numbers
repeat across pools (two graders on one machine, Dask workers, the doctor's probe pool), the pids of
living zygotes do not, so no two runs anywhere on the machine share a uid at the same time.

That uid can only run what every user may read and execute: the interpreter, its standard library,
the packages the zygote imported and the grader's own code. Each zygote checks that once, as that
uid, in a forked child (`unreadable_as`); where something is missing (a pyenv interpreter under /root,
mode 0700) its runs stay uid 0 without capabilities, as before, and the zygote reports the feature
missing with the reason. An ordinary user's runs already have no uid but the user's own.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

#: first uid (and gid) of the range; a zygote's runs get RUN_ID_BASE + its pid
RUN_ID_BASE = 2_000_000_000


def run_ids_for(zygote_pid: int) -> tuple[int, int]:
    """(uid, gid) of the runs of the zygote whose pid (as the host sees it) is `zygote_pid`."""
    ident = RUN_ID_BASE + zygote_pid
    return ident, ident


def decide(as_root: bool, unreadable: str, zygote_pid: int) -> tuple[tuple[int, int] | None, str]:
    """The runs' (uid, gid), or None; and why they keep uid 0 ("" when that is no gap).

    `unreadable`: what `unreadable_as` reported ("" when every needed path is readable by that uid).
    An ordinary user's runs have the user's own uid, so for them nothing is missing.
    """
    if not as_root:
        return None, ""
    if unreadable:
        return None, unreadable
    return run_ids_for(zygote_pid), ""


def needed_paths(reads: tuple[str, ...] = ()) -> list[tuple[str, int]]:
    """(path, os.access mode) for everything a run may import or execute, as this process found it.

    The interpreter first (the usual culprit), then the standard library; every module already imported
    (its file, its package folders, and the folder on sys.path it came from, e.g. site-packages, where
    the run may import more); the grader's package with everything in it (the probe and the sandbox's
    own code are imported by the run); and `reads`, what the pool's caller says every run reads (an
    assignment's probe). Other folders on sys.path are not checked: nothing imported so far came from
    them (the zygote's working folder is one, and it is hidden from every run anyway).
    """
    needed: dict[str, int] = {}
    search = os.R_OK | os.X_OK

    def add(path: str | None, mode: int) -> None:
        if path and os.path.exists(path):
            real = os.path.realpath(path)
            needed[real] = needed.get(real, 0) | mode

    add(sys.executable, os.R_OK | os.X_OK)
    add(os.path.dirname(os.__file__), search)
    for name, module in list(sys.modules.items()):
        file, folders = _origin(module)
        add(file, os.R_OK)
        for folder in folders:
            add(folder, search)
        if "." not in name and (folders or file):
            add(os.path.dirname(folders[0] if folders else file), search)
    package = Path(__file__).resolve().parents[1]
    for folder, _, files in os.walk(package):
        add(folder, search)
        for name in files:
            if name.endswith(".py"):
                add(os.path.join(folder, name), os.R_OK)
    for path in reads:
        add(path, search if os.path.isdir(path) else os.R_OK)
    return list(needed.items())


def _origin(module: object) -> tuple[str | None, list[str]]:
    """A module's file and package folders; nothing for the odd objects some libraries put into
    sys.modules (torch's `__path__` of operator namespaces cannot even be iterated)."""
    try:
        file = getattr(module, "__file__", None)
        path = getattr(module, "__path__", None)
        folders = [f for f in list(path) if isinstance(f, str)] if path is not None else []
    except Exception:  # noqa: BLE001 - whatever such an object raises, it is nothing to import from
        return None, []
    return (file if isinstance(file, str) else None), folders


def first_unreadable(needed: list[tuple[str, int]]) -> str:
    """Why this process cannot use one of `needed` ("" when it can use them all).

    Names the outermost folder in the way, which is what needs fixing: for a pyenv interpreter that is
    /root, not the interpreter itself.
    """
    for path, mode in needed:
        if os.access(path, mode):
            continue
        blocking = path
        for folder in reversed(Path(path).parents):
            if not os.access(folder, os.X_OK):
                blocking = str(folder)
                break
        suffix = "" if blocking == path else f" (it holds {path})"
        return f"{blocking} is not readable by other users{suffix}"
    return ""


def unreadable_as(uid: int, gid: int, needed: list[tuple[str, int]]) -> str:
    """`first_unreadable` checked as `uid`/`gid` in a forked child (needs root); "" when all is readable."""
    read_end, write_end = os.pipe2(os.O_CLOEXEC)
    child = os.fork()
    if child == 0:
        code = 0
        try:
            os.close(read_end)
            try:
                os.setgroups([])
                os.setresgid(gid, gid, gid)
                os.setresuid(uid, uid, uid)
            except OSError as error:
                answer = f"cannot switch to uid {uid}: {error.strerror} (a container's user namespace may not map it)"
            else:
                answer = first_unreadable(needed)
            data = answer.encode("utf-8", errors="replace")
            while data:
                data = data[os.write(write_end, data):]
        except BaseException:  # noqa: BLE001 - never return into the zygote's code
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    chunks = []
    try:
        while chunk := os.read(read_end, 65536):
            chunks.append(chunk)
    finally:
        os.close(read_end)
    _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return "the check of what other users can read failed"
    return b"".join(chunks).decode("utf-8", errors="replace")
