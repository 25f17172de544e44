"""The pool keeps working whatever a run does to its supervisor, runs in parallel, and shuts down cleanly."""
from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader.sandbox import SandboxPool

from tests.sandbox.conftest import processes_matching, wait_until


def test_killing_the_supervisor_from_inside_does_not_break_the_pool(pool: SandboxPool, stage) -> None:
    outcome = pool.run(stage("kill_supervisor", extra={"rundir.txt": str(pool._rundir)}))
    assert outcome.harness_error == ""
    assert "still running" in outcome.output
    for _ in range(3):  # whichever slot picks it up
        assert pool.run(stage("hello")).exit_code == 0


def test_supervisor_killed_during_a_run_is_reported_and_replaced(stage, scratch: Path) -> None:
    marker = f"lost{scratch.name[-6:]}"
    with SandboxPool(jobs=1, preload=()) as own_pool:
        assert own_pool.run(stage("hello")).exit_code == 0
        zygote = own_pool._slots[0].process
        # a wall limit the test never reaches: the run ends because its supervisor is killed, not by time
        task = stage("linger_holding_memory", extra={"token.txt": marker}, wall_seconds=120)
        started = task.workdir / "started.txt"  # written once every marker process runs

        def kill_the_supervisor_once_started() -> None:
            if wait_until(started.exists, timeout=60):
                os.kill(zygote.pid, signal.SIGKILL)

        killer = threading.Thread(target=kill_the_supervisor_once_started)
        killer.start()
        outcome = own_pool.run(task)
        killer.join()
        assert started.exists()
        assert outcome.supervisor_lost
        assert outcome.signal == signal.SIGKILL and outcome.exit_code is None
        assert outcome.harness_error == ""
        assert processes_matching(marker) == []
        assert own_pool.run(stage("hello")).exit_code == 0
        assert own_pool._slots[0].process.pid != zygote.pid


def test_two_tasks_run_in_parallel(pool: SandboxPool, stage) -> None:
    tasks = [stage("timestamps"), stage("timestamps")]
    with ThreadPoolExecutor(max_workers=2) as executor:
        outcomes = list(executor.map(pool.run, tasks))
    assert [o.exit_code for o in outcomes] == [0, 0]
    (start_a, end_a), (start_b, end_b) = (
        map(float, (t.workdir / "times.txt").read_text().split()) for t in tasks
    )
    assert start_a < end_b and start_b < end_a  # the two runs overlapped in time


def test_torch_runs_single_threaded_in_a_torch_pool(stage) -> None:
    with SandboxPool(jobs=1, preload=("numpy", "torch")) as torch_pool:
        outcome = torch_pool.run(stage("torch_task", memory_mb=2048, wall_seconds=60))
    assert outcome.exit_code == 0, outcome.output + outcome.harness_error
    assert "threads 1" in outcome.output
    loss = float(next(line for line in outcome.output.splitlines() if line.startswith("loss")).split()[1])
    assert loss < 1e-3
