"""Without PID namespaces and cgroups (as on machines that lack them) runs are still cleaned up."""
from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Iterator

import pytest

from grader.sandbox import SandboxPool, isolation

from tests.sandbox.conftest import processes_matching

WITHOUT = (isolation.PROCESS_NAMESPACE, isolation.PROCESS_LIMIT, isolation.MEMORY_CGROUP)


@pytest.fixture(scope="module")
def weak_pool() -> Iterator[SandboxPool]:
    with SandboxPool(jobs=1, preload=(), disable=WITHOUT) as pool:
        yield pool


def _gone(marker: str, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while processes_matching(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_missing_features_are_reported_as_degraded(weak_pool: SandboxPool, stage) -> None:
    outcome = weak_pool.run(stage("hello"))
    assert outcome.exit_code == 0
    assert set(WITHOUT) <= set(outcome.degraded)


def test_background_processes_still_do_not_survive(weak_pool: SandboxPool, stage, scratch: Path) -> None:
    marker = f"fbg{scratch.name[-6:]}"
    outcome = weak_pool.run(stage("background", extra={"token.txt": marker}))
    assert outcome.exit_code == 0, outcome.output
    assert _gone(marker)


def test_run_that_kills_its_supervisor_is_reported_and_cleaned_up(weak_pool: SandboxPool, stage, scratch: Path) -> None:
    assert weak_pool.run(stage("hello")).exit_code == 0
    zygote = weak_pool._slots[0].process.pid
    in_own_namespace = weak_pool._slots[0].hello["pid"] != zygote
    own_uid = weak_pool._slots[0].hello["run_uid"] is not None
    marker = f"fkill{scratch.name[-6:]}"
    outcome = weak_pool.run(stage("kill_pid", extra={"pid.txt": str(zygote), "token.txt": marker}))
    if in_own_namespace or own_uid:
        # an ordinary user's zygote is the init of its own PID namespace: no run can see it, let alone kill it;
        # root's zygote is another user's process for a run with a uid of its own
        assert not outcome.supervisor_lost and outcome.exit_code == 0, outcome
        if own_uid:
            assert f"kill {zygote}: refused (Operation not permitted)" in outcome.output
        assert _gone(marker)
        return
    assert outcome.supervisor_lost
    assert outcome.signal == signal.SIGKILL and outcome.exit_code is None
    assert outcome.harness_error == ""
    assert _gone(marker)
    assert weak_pool.run(stage("hello")).exit_code == 0
