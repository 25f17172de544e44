"""Fixtures for the sandbox tests: a shared warm pool and a helper that stages one behaviour file."""
from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator

import pytest

from grader.sandbox import Limits, SandboxPool, SandboxTask

FILES = Path(__file__).parent / "files"
ENTRY = "tests.sandbox.entries:run_behaviour"
#: small limits so hostile behaviours end quickly
TEST_LIMITS = Limits(wall_seconds=10.0, memory_mb=1024, max_processes=16, output_kb=64, file_size_mb=8)


@pytest.fixture(scope="session")
def pool() -> Iterator[SandboxPool]:
    with SandboxPool(jobs=2, preload=("numpy",)) as shared:
        yield shared


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A directory outside /tmp (the sandbox gives every run a private /tmp, which would mask it).

    Passable for every user (mode 0711): as root, a run with a uid of its own could not pass a 0700 folder,
    and the sandbox would show it an empty folder instead (mounts.make_reachable), hiding what the tests
    put beside the workdir from the measures they check."""
    path = Path(tempfile.mkdtemp(prefix="grader-test-", dir="/var/tmp"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


StageFn = Callable[..., SandboxTask]


@pytest.fixture
def stage(scratch: Path) -> StageFn:
    """stage("hello", wall_seconds=2, extra={"port.txt": "123"}, hidden=(...)) -> a ready SandboxTask."""
    counter = iter(range(1000))

    def make(behaviour: str, *, extra: dict[str, str] | None = None, hidden: tuple[Path, ...] = (), **limits: object) -> SandboxTask:
        workdir = scratch / f"work{next(counter)}"
        workdir.mkdir()
        shutil.copy(FILES / f"{behaviour}.py", workdir / "behaviour.py")
        for name, text in (extra or {}).items():
            (workdir / name).write_text(text)
        return SandboxTask(workdir=workdir, entry=ENTRY, limits=replace(TEST_LIMITS, **limits), hidden_paths=hidden)

    return make


def processes_matching(marker: str) -> list[int]:
    """Pids of live processes whose name or command line contains `marker` (zombies excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        state = next((line.split()[1] for line in status.splitlines() if line.startswith("State:")), "")
        name = next((line.split(None, 1)[1] for line in status.splitlines() if line.startswith("Name:")), "")
        if state != "Z" and (marker in name or marker in cmdline):
            found.append(int(entry.name))
    return found


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Poll `condition` until it holds; False when it still does not after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
