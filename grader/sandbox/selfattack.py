"""Attacks `grader doctor` runs through the real sandbox: each is an entry called in the sandboxed
process as attack(workdir), reads its parameters from workdir/attack.json and prints one line
"RESULT <blocked|EXPOSED> <what happened>". Written to fail loudly: any result that is not clearly
blocked counts as exposed.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path


def _params(workdir: Path) -> dict:
    return json.loads((workdir / "attack.json").read_text())


def _say(blocked: bool, what: str) -> None:
    print(f"RESULT {'blocked' if blocked else 'EXPOSED'} {what}", flush=True)


def read_hidden(workdir: Path) -> None:
    """Read a file under a hidden folder."""
    params = _params(workdir)
    try:
        text = Path(params["secret"]).read_text()
    except OSError as error:
        _say(True, f"reading {params['secret']}: {error.strerror}")
        return
    leaked = params["canary"] in text
    _say(not leaked, "read the hidden file's content" if leaked else "the hidden file reads as empty")


def open_socket(workdir: Path) -> None:
    """Connect to a listener on the host's loopback, and to a public address."""
    params = _params(workdir)
    reached = []
    for host, port in (("127.0.0.1", params["port"]), ("1.1.1.1", 53)):
        try:
            with socket.create_connection((host, port), timeout=2):
                reached.append(f"{host}:{port}")
        except OSError as error:
            last = error.strerror or str(error)
    _say(not reached, f"connected to {', '.join(reached)}" if reached else f"no connection ({last})")


def fork_many(workdir: Path) -> None:
    """Start 200 processes that each wait a few seconds."""
    started = 0
    error = ""
    for _ in range(200):
        try:
            pid = os.fork()
        except OSError as exc:
            error = exc.strerror or str(exc)
            break
        if pid == 0:
            time.sleep(3)
            os._exit(0)
        started += 1
    _say(started < 200, f"started {started} of 200 processes" + (f", then: {error}" if error else ""))


def allocate(workdir: Path) -> None:
    """Allocate (and touch) more memory than the run's limit in one process."""
    megabytes = _params(workdir)["megabytes"]
    try:
        data = bytearray(megabytes * 1024 * 1024)
        data[::4096] = b"\1" * len(data[::4096])
    except MemoryError:
        _say(True, f"allocating {megabytes} MiB: MemoryError")
        return
    _say(False, f"allocated {megabytes} MiB")


def allocate_in_two(workdir: Path) -> None:
    """Two processes that each stay below the limit and together exceed it (the run is killed if limited)."""
    megabytes = _params(workdir)["megabytes"]
    child = os.fork()
    data = bytearray(megabytes * 1024 * 1024)
    data[::4096] = b"\1" * len(data[::4096])
    if child == 0:
        time.sleep(2)
        os._exit(0)
    _, status = os.waitpid(child, 0)
    if os.WIFSIGNALED(status):
        _say(True, f"the second process was killed (signal {os.WTERMSIG(status)})")
    else:
        _say(False, f"two processes held {megabytes} MiB each")


def leave_process(workdir: Path) -> None:
    """Start a process in a new session that would outlive the run (the doctor looks for it afterwards)."""
    marker = _params(workdir)["marker"]
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("RESULT pending started a background process", flush=True)


def write_outside(workdir: Path) -> None:
    """Create files outside the work folder: in a visible folder of the host, and in the grader's code."""
    written = []
    last = ""
    for folder in _params(workdir)["targets"]:
        target = Path(folder) / ".grader-doctor-probe"
        try:
            target.write_text("x")
        except OSError as error:
            last = error.strerror or str(error)
            continue
        written.append(folder)
        try:
            target.unlink()
        except OSError:
            pass
    _say(not written, f"wrote into {', '.join(written)}" if written else f"nothing written ({last})")


def loop_forever(workdir: Path) -> None:
    """Never end (the wall-clock limit must kill it)."""
    while True:
        pass
