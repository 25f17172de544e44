"""`grader doctor`: what isolation this machine gives, proven by attacking the real sandbox.

First the features (active or missing, why, how to get them), then a short self-attack: each attack of
`selfattack` runs as a sandboxed task through a real pool, and the result says whether the sandbox
stopped it. Grading untrusted code is safe here only if every required feature is active and every
attack was blocked.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from grader.sandbox import isolation, machine
from grader.sandbox.limits import Limits
from grader.sandbox.pool import SandboxPool
from grader.sandbox.task import SandboxOutcome, SandboxTask

_LIMITS = Limits(wall_seconds=20.0, memory_mb=256, max_processes=16, output_kb=16, preload=())
_CANARY = "doctor-canary-7f3a"


@dataclass(frozen=True)
class AttackResult:
    """One attack and what the sandbox did about it."""

    attack: str
    blocked: bool
    detail: str


@dataclass(frozen=True)
class Diagnosis:
    machine: machine.MachineIsolation
    attacks: tuple[AttackResult, ...]
    #: who the student process runs as, and what would allow a separate uid
    identity: str

    @property
    def safe(self) -> bool:
        return self.machine.safe and all(a.blocked for a in self.attacks)


def diagnose() -> Diagnosis:
    """The whole check; takes a few seconds (one attack waits for the wall-clock limit)."""
    found = machine.inspect_machine()
    with tempfile.TemporaryDirectory(prefix="grader-doctor-", dir="/var/tmp" if os.path.isdir("/var/tmp") else None) as base:
        attacks = _attack(Path(base))
    return Diagnosis(found, tuple(attacks), identity(found))


def identity(found: machine.MachineIsolation) -> str:
    """Who the student process runs as on this machine, in one sentence."""
    if not found.as_root:
        return ("student code runs as your own uid, mapped to uid 0 without capabilities inside a user "
                "namespace of the run's own (no other uid is available to an ordinary user)")
    feature = next(f for f in found.features if f.name == isolation.RUN_UID)
    if feature.active:
        return f"student code runs without capabilities as a uid of its own per pool slot: {feature.via}"
    return f"student code runs as uid 0 without capabilities ({feature.name}: missing, see above)"


class _Listener:
    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.accepted += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


def _attack(base: Path) -> list[AttackResult]:
    # passable for a run's own uid, so that the attacks meet the hiding and the read-only mounts rather than
    # the empty folder that would otherwise stand in for base (mounts.make_reachable)
    os.chmod(base, 0o711)
    secret = base / "hidden"
    secret.mkdir()
    (secret / "answers.txt").write_text(_CANARY)
    outside = base / "visible"
    outside.mkdir(mode=0o777)
    os.chmod(outside, 0o777)
    checkout = Path(__file__).resolve().parents[1]
    marker = f"grader-doctor-{os.getpid()}-{int(time.time())}"
    listener = _Listener()
    plans = [
        ("read a hidden file", "read_hidden", {"secret": str(secret / "answers.txt"), "canary": _CANARY}, (secret,), {}),
        ("open a network connection", "open_socket", {"port": listener.port}, (), {}),
        ("start 200 processes", "fork_many", {}, (), {}),
        ("allocate past the memory limit", "allocate", {"megabytes": 2 * _LIMITS.memory_mb}, (), {}),
        ("exceed the memory limit with two processes", "allocate_in_two",
         {"megabytes": int(_LIMITS.memory_mb * 0.6)}, (), {}),
        ("leave a process behind", "leave_process", {"marker": marker}, (), {}),
        ("write outside the work folder", "write_outside", {"targets": [str(outside), str(checkout)]}, (), {}),
        ("run forever", "loop_forever", {}, (), {"wall_seconds": 2.0}),
    ]
    results = []
    try:
        with SandboxPool(jobs=1, preload=()) as pool:
            for index, (title, entry, params, hidden, limits) in enumerate(plans):
                work = base / f"work{index}"
                work.mkdir()
                (work / "attack.json").write_text(json.dumps(params))
                task = SandboxTask(work, f"grader.sandbox.selfattack:{entry}", replace(_LIMITS, **limits), hidden)
                outcome = pool.run(task)
                results.append(_judge(title, entry, outcome, marker, listener))
    finally:
        listener.close()
        shutil.rmtree(base, ignore_errors=True)
    return results


def _judge(title: str, entry: str, outcome: SandboxOutcome, marker: str, listener: _Listener) -> AttackResult:
    if outcome.harness_error:
        return AttackResult(title, False, f"grader error: {outcome.harness_error}")
    line = next((l for l in reversed(outcome.output.splitlines()) if l.startswith("RESULT ")), "")
    verdict, _, detail = line[len("RESULT "):].partition(" ")
    if entry == "loop_forever":
        return AttackResult(title, outcome.timed_out, "killed at the 2 s wall-clock limit" if outcome.timed_out
                            else f"not stopped ({outcome.exit_code=}, {outcome.signal=})")
    if entry == "leave_process":
        survivors = _processes_with(marker)
        return AttackResult(title, not survivors, "the background process was killed with the run" if not survivors
                            else f"still running after the run: pids {survivors}")
    if entry == "open_socket" and listener.accepted:
        return AttackResult(title, False, f"the host's loopback listener saw {listener.accepted} connection(s)")
    if entry == "allocate_in_two" and outcome.memory_killed:
        return AttackResult(title, True, "the run was killed for its total memory")
    if entry == "fork_many" and not line and outcome.exit_code != 0:
        return AttackResult(title, True, f"the run could not go on ({_ending(outcome)})")
    if entry in ("allocate", "allocate_in_two") and not line:
        return AttackResult(title, outcome.signal is not None or outcome.memory_killed, f"the run ended: {_ending(outcome)}")
    if not line:
        return AttackResult(title, False, f"no result ({_ending(outcome)}); output: {outcome.output[-200:]!r}")
    return AttackResult(title, verdict == "blocked", detail)


def _ending(outcome: SandboxOutcome) -> str:
    if outcome.memory_killed:
        return "killed for memory"
    if outcome.signal:
        return f"killed by signal {outcome.signal}"
    return f"exit status {outcome.exit_code}"


def _processes_with(marker: str, wait: float = 3.0) -> list[int]:
    """Live processes whose command line holds `marker`, after giving the clean-up a moment."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)
