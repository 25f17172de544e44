"""A pool of warm sandbox slots: one zygote process per slot, used by one grading thread at a time.

    with SandboxPool(jobs=2, preload=("numpy", "torch")) as pool:
        outcome = pool.run(task)          # from up to `jobs` threads at once

A slot whose zygote died is restarted for its next task. A zygote that dies during a task still yields
an outcome for that task (supervisor_lost=True); the pool then kills whatever that run left behind.
"""
from __future__ import annotations

import json
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from grader.sandbox import cgroups, isolation, output, protocol
from grader.sandbox.supervisor import proc_stat_field, process_start_time
from grader.sandbox.task import SandboxOutcome, SandboxTask

#: how long a zygote may take to import its preload modules and say hello
STARTUP_SECONDS = 180.0
#: extra time a zygote gets beyond the run's wall limit to clean up and answer
REPLY_GRACE_SECONDS = 30.0
#: how long close() waits for zygotes to stop on their own before killing them
STOP_GRACE_SECONDS = 5.0
#: how long the kernel may take to end a killed zygote's PID namespace (it takes milliseconds)
NAMESPACE_END_SECONDS = 30.0


#: isolation features every pool leaves out unless told otherwise; empty except in tests of the fallbacks
DEFAULT_DISABLE: tuple[str, ...] = ()


class _ZygoteGone(Exception):
    """The zygote's reply pipe closed (it died) or it did not answer in time."""


class _Slot:
    """One zygote process and what the pool knows about it. Used by one thread at a time."""

    def __init__(
        self, index: int, preload: tuple[str, ...], rundir: Path, disable: tuple[str, ...], lifecycle: "_Lifecycle",
        reads: tuple[str, ...] = (),
    ) -> None:
        self.index = index
        self.lifecycle = lifecycle
        self.preload = preload
        self.disable = disable
        self.reads = reads
        self.rundir = rundir
        self.process: subprocess.Popen[bytes] | None = None
        self.hello: dict | None = None
        self._buffer = bytearray()
        #: a pidfd on the zygote when it is the init of its own PID namespace (an ordinary user's)
        self._namespace_init: int | None = None
        self._namespace_lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Launch the zygote (non-blocking; the hello is read on first use). Refused once the pool is closed."""
        with self.lifecycle.lock:
            if self.lifecycle.closed.is_set():
                raise _ZygoteGone("sandbox pool is closed")
            self._launch()

    def _launch(self) -> None:
        config = {
            "slot": self.index,
            "preload": list(self.preload),
            "sys_path": [os.path.abspath(p or os.getcwd()) for p in sys.path],
            "rundir": str(self.rundir),
            "disable": list(self.disable),
            "reads": list(self.reads),
        }
        with open(self.rundir / f"slot{self.index}.log", "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "grader.sandbox.zygote", json.dumps(config)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=_zygote_environment(),
                cwd=self.rundir,
                bufsize=0,
                # own session: a Ctrl-C on the terminal reaches only the grader, which then closes the pool
                start_new_session=True,
            )
        self.hello = None
        self._buffer = bytearray()

    def ready(self) -> str:
        """Make sure a zygote is running and has said hello; return its start-up error or ""."""
        if self.process is None or self.process.poll() is not None:
            self.discard()
            try:
                self.start()
            except _ZygoteGone as error:
                return str(error)
        if self.hello is None:
            try:
                self.hello = protocol.decode(self._read_line(time.monotonic() + STARTUP_SECONDS))["hello"]
            except (_ZygoteGone, ValueError, KeyError) as error:
                message = f"sandbox supervisor did not start: {error}; {self.log_tail()}"
                self.discard()
                return message
            if self.hello.get("error"):
                message = f"sandbox supervisor did not start: {self.hello['error']}"
                self.discard()
                return message
            self._hold_namespace_init()
        return ""

    def _hold_namespace_init(self) -> None:
        """Keep a pidfd on the zygote when it is the init of its own PID namespace, a child of the process
        we started. Killing what we started does not wait for that namespace to end; the pidfd does."""
        assert self.process is not None and self.hello is not None
        init = self.hello.get("outer_pid")
        if not isinstance(init, int) or init <= 0 or init == self.process.pid:
            return
        try:
            pidfd = os.pidfd_open(init)
        except OSError:
            return  # already ended, and its namespace with it
        if proc_stat_field(init, 4) != self.process.pid:
            os.close(pidfd)  # it ended and its pid went to another process: nothing of ours to wait for
            return
        with self._namespace_lock:
            self._namespace_init = pidfd

    def discard(self) -> None:
        """Kill the zygote and everything its current run left; forget it. Idempotent."""
        process, hello = self.process, self.hello
        self.process, self.hello = None, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        self.kill_orphaned_run(hello)
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()

    def kill_orphaned_run(self, hello: dict | None) -> None:
        """After the zygote died: kill the keeper it left, the keeper's process group, and the slot's cgroups;
        or, for a zygote in a PID namespace of its own, end that namespace (`end_namespace`)."""
        self.end_namespace()
        pidfile = self.rundir / f"slot{self.index}.pid"
        try:
            pid_text, start_text = pidfile.read_text().split()
            pid, start = int(pid_text), int(start_text)
            pidfile.unlink()
        except (OSError, ValueError):
            pid = 0
        # the keeper may be gone while its process group lives on; the group id cannot be reused while the
        # group exists, so the only unsafe case is a new process that got the same pid after all of it ended
        if pid > 0 and process_start_time(pid) in (start, -1):
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if hello:
            slot_cgroups = cgroups.SlotCgroups.from_paths(hello.get("cgroups", {}))
            slot_cgroups.remove(reap=False)  # never reap here: our children are the other zygotes

    def end_namespace(self) -> None:
        """Kill the zygote that is the init of its own PID namespace and wait until it has ended.

        The kernel ends such an init only after every other process of its namespace, so once this returns
        no process of any of its runs is left; a caller in another thread waits for the same moment.
        """
        with self._namespace_lock:
            pidfd, self._namespace_init = self._namespace_init, None
            if pidfd is None:
                return
            try:
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                select.select([pidfd], [], [], NAMESPACE_END_SECONDS)  # readable once it has ended
            finally:
                os.close(pidfd)

    def log_tail(self, size: int = 2000) -> str:
        """The end of this slot's zygote log, for harness error messages."""
        try:
            data = (self.rundir / f"slot{self.index}.log").read_bytes()[-size:]
        except OSError:
            return "no zygote log"
        return "zygote log: " + data.decode("utf-8", errors="replace").strip()

    # -- talking -----------------------------------------------------------------------------------
    def _read_line(self, deadline: float) -> bytes:
        assert self.process is not None and self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _ZygoteGone("no answer in time")
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise _ZygoteGone("reply pipe closed")
                self._buffer += chunk
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        return line

    def send(self, task: SandboxTask) -> None:
        """Write one request line; raises BrokenPipeError when the zygote is gone."""
        assert self.process is not None and self.process.stdin is not None
        data = protocol.encode({"task": protocol.task_to_dict(task)})
        fd = self.process.stdin.fileno()
        while data:
            data = data[os.write(fd, data):]

    def receive(self, task: SandboxTask) -> SandboxOutcome:
        """Read the one reply line for the task just sent."""
        deadline = time.monotonic() + task.limits.wall_seconds + REPLY_GRACE_SECONDS
        return protocol.outcome_from_dict(protocol.decode(self._read_line(deadline))["outcome"])


class _Lifecycle:
    """Shared by the pool and its slots: once closed, no zygote may be started any more."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.closed = threading.Event()


class SandboxPool:
    """`jobs` warm zygotes; `run` is safe to call from up to `jobs` threads at once (more just wait)."""

    def __init__(self, jobs: int, preload: tuple[str, ...] = ("numpy",), *, disable: tuple[str, ...] | None = None,
                 cold: bool = False, reads: tuple[str | Path, ...] = ()) -> None:
        """Start `jobs` zygotes importing `preload`; `disable` names isolation features to leave out
        (values of grader.sandbox.isolation's feature names; only for testing the fallbacks).

        `reads`: files or folders every run reads besides the interpreter, its packages and the grader
        (an assignment's probe). As root, runs get a uid of their own only where that uid can read these
        too (see runuid); otherwise they keep uid 0 without capabilities.

        `cold=True` disables the warm pool, for benchmarks: each zygote serves one task and is stopped,
        so every task pays a fresh interpreter and the preload imports, with the same isolation.
        """
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.jobs = jobs
        self.cold = cold
        self.preload = tuple(preload)
        self._rundir = Path(tempfile.mkdtemp(prefix="grader-sandbox-"))
        self._lifecycle = _Lifecycle()
        disable = DEFAULT_DISABLE if disable is None else disable
        reads = tuple(str(Path(p).resolve()) for p in reads)
        self._slots = [_Slot(i, self.preload, self._rundir, tuple(disable), self._lifecycle, reads) for i in range(jobs)]
        self._free: queue.Queue[_Slot] = queue.Queue()
        for slot in self._slots:
            slot.start()  # all zygotes import their preload modules in parallel
            self._free.put(slot)

    def __enter__(self) -> "SandboxPool":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(self, task: SandboxTask) -> SandboxOutcome:
        """Run one task in a sandbox and return the facts of how it ended. Never raises for the task's doing."""
        problem = _check_task(task)
        if problem:
            return _harness_outcome(problem)
        slot = self._acquire()
        if slot is None:
            return _harness_outcome("sandbox pool is closed")
        try:
            return self._run_on(slot, task)
        except BaseException:
            slot.discard()  # e.g. KeyboardInterrupt while waiting: the slot's state is unknown
            raise
        finally:
            if self.cold:
                _stop_gently(slot)  # the next task starts a new zygote (slot.ready)
            self._free.put(slot)

    def close(self) -> None:
        """Stop every zygote and kill every process of every run; safe to call twice and from any thread."""
        with self._lifecycle.lock:
            if self._lifecycle.closed.is_set():
                return
            self._lifecycle.closed.set()
        for slot in self._slots:
            process = slot.process
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)  # the zygote kills its run and exits
        idle = self._collect_idle_slots(time.monotonic() + STOP_GRACE_SECONDS)
        for slot in idle:
            _stop_gently(slot)
        for slot in self._slots:
            if slot not in idle:
                # still in use by a thread that did not return in time: kill what can be killed, leave the pipes
                process = slot.process
                if process is not None and process.poll() is None:
                    process.kill()
                slot.kill_orphaned_run(slot.hello)
        shutil.rmtree(self._rundir, ignore_errors=True)

    # -- internals ---------------------------------------------------------------------------------
    def _acquire(self) -> _Slot | None:
        while not self._lifecycle.closed.is_set():
            try:
                return self._free.get(timeout=0.2)
            except queue.Empty:
                continue
        return None

    def _collect_idle_slots(self, deadline: float) -> list[_Slot]:
        idle: list[_Slot] = []
        while len(idle) < len(self._slots) and time.monotonic() < deadline:
            try:
                idle.append(self._free.get(timeout=0.05))
            except queue.Empty:
                continue
        return idle

    def _run_on(self, slot: _Slot, task: SandboxTask) -> SandboxOutcome:
        for attempt in (1, 2):
            problem = slot.ready()
            if problem:
                return _harness_outcome(problem)
            try:
                slot.send(task)
            except OSError:
                # died between tasks (nothing of this task ran yet): restart once
                slot.discard()
                if attempt == 2 or self._lifecycle.closed.is_set():
                    return _harness_outcome("sandbox supervisor is not accepting tasks")
                continue
            break
        started = time.monotonic()
        try:
            return slot.receive(task)
        except (_ZygoteGone, ValueError, KeyError) as error:
            return self._lost_outcome(slot, task, started, str(error))

    def _lost_outcome(self, slot: _Slot, task: SandboxTask, started: float, reason: str) -> SandboxOutcome:
        """The zygote died (or hung) during the task: report what is known, clean up, restart next time."""
        process = slot.process
        assert process is not None
        try:
            # the reply pipe closes a moment before the dead process can be waited for
            process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        hung = process.poll() is None
        log_tail = slot.log_tail()
        slot.discard()  # kills a hung zygote, the run it left behind, and its cgroups
        returncode = process.returncode
        text, truncated = output.read_head_by_path(task.workdir, task.limits.output_kb * 1024)
        if self._lifecycle.closed.is_set():
            error = "sandbox pool was closed during the run"
        elif hung:
            error = f"sandbox supervisor did not answer ({reason})"
        elif returncode is not None and returncode > 0:
            # a Python error in the zygote itself, not a signal from the run
            error = f"sandbox supervisor failed with exit status {returncode}; {log_tail}"
        else:
            error = ""
        return SandboxOutcome(
            exit_code=None,
            signal=-returncode if returncode is not None and returncode < 0 else None,
            wall_s=round(time.monotonic() - started, 4),
            cpu_s=0.0,
            max_rss_mb=0.0,
            timed_out=False,
            output=text,
            output_truncated=truncated,
            degraded=tuple((slot.hello or {}).get("degraded", ())),
            harness_error=error,
            supervisor_lost=True,
        )


def _stop_gently(slot: _Slot) -> None:
    """Give a zygote a moment to finish its own clean-up, then make sure it is gone."""
    process = slot.process
    if process is not None:
        if process.stdin is not None:
            try:
                process.stdin.close()
            except OSError:
                pass
        try:
            process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            pass
    slot.discard()


def _zygote_environment() -> dict[str, str]:
    """The scrubbed environment zygotes start with (so preloaded libraries read one-thread settings)."""
    package_parent = str(Path(__file__).resolve().parents[2])  # the folder that holds the grader package
    env = dict(isolation.BASE_ENVIRONMENT)
    env["PYTHONPATH"] = package_parent
    # keep the font cache and config of matplotlib: rebuilding it would cost every zygote seconds
    for name in ("HOME", "MPLCONFIGDIR"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _check_task(task: SandboxTask) -> str:
    workdir = Path(task.workdir)
    if not workdir.is_absolute():
        workdir = workdir.absolute()
    if not workdir.is_dir():
        return f"workdir {workdir} is not a directory"
    if ":" not in task.entry:
        return f"entry {task.entry!r} is not of the form 'package.module:function'"
    return ""


def _harness_outcome(message: str) -> SandboxOutcome:
    return SandboxOutcome(
        exit_code=None, signal=None, wall_s=0.0, cpu_s=0.0, max_rss_mb=0.0, timed_out=False, harness_error=message
    )
