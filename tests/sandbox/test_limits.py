"""Resource limits: memory, file size, process count, total memory."""
from __future__ import annotations

import signal
from pathlib import Path

from grader.sandbox import SandboxPool

from tests.sandbox.conftest import processes_matching


def test_memory_bomb_gets_memory_error_and_the_next_task_is_fine(pool: SandboxPool, stage) -> None:
    outcome = pool.run(stage("memory_bomb", memory_mb=512))
    assert outcome.signal is None and outcome.exit_code == 70
    assert "MemoryError" in outcome.output
    assert pool.run(stage("hello")).exit_code == 0


def test_writing_a_file_larger_than_file_size_mb_fails(pool: SandboxPool, stage) -> None:
    task = stage("big_file", file_size_mb=2, extra={"limit.txt": "2"})
    outcome = pool.run(task)
    assert outcome.exit_code == 0
    assert "write failed: EFBIG" in outcome.output
    assert (task.workdir / "big.bin").stat().st_size <= 2 * 1024 * 1024


def _slot_pids_cgroups(pool: SandboxPool) -> list[Path]:
    return [Path(slot.hello["cgroups"]["pids"]) for slot in pool._slots if slot.hello and slot.hello["cgroups"]["pids"]]


def test_fork_bomb_is_contained_and_leaves_nothing_behind(pool: SandboxPool, stage, scratch: Path) -> None:
    marker = f"bomb{scratch.name[-6:]}"
    outcome = pool.run(stage("fork_bomb", wall_seconds=2.0, max_processes=8, extra={"token.txt": marker}))
    assert outcome.timed_out and outcome.signal == signal.SIGKILL
    assert "forking" in outcome.output
    assert processes_matching(marker) == []
    for cgroup in _slot_pids_cgroups(pool):
        assert (cgroup / "cgroup.procs").read_text().split() == []
        assert int((cgroup / "pids.peak").read_text()) <= 8 + 1
    assert pool.run(stage("hello")).exit_code == 0


def test_background_processes_do_not_survive_the_run(pool: SandboxPool, stage, scratch: Path) -> None:
    marker = f"bg{scratch.name[-6:]}"
    outcome = pool.run(stage("background", extra={"token.txt": marker}))
    assert outcome.exit_code == 0, outcome.output
    assert "left processes behind" in outcome.output
    assert processes_matching(marker) == []


def test_total_memory_of_all_processes_is_capped(pool: SandboxPool, stage) -> None:
    # each of the two processes stays below the per-process address-space limit; together they do not fit
    outcome = pool.run(stage("memory_total", memory_mb=700, extra={"size.txt": "400"}))
    if "memory cgroup" in outcome.degraded:
        return  # nothing to prove on a machine without the memory controller
    assert outcome.memory_killed
    # the kernel kills one of the two: the child (reported by the parent) or the parent itself
    assert "child killed by signal 9" in outcome.output or outcome.signal == signal.SIGKILL
    assert "both allocations survived" not in outcome.output
