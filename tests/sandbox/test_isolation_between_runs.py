"""One warm parent serves many submissions: nothing a run changes may reach the next run.

Both runs go through a pool of one slot, so they are forked from the same warm zygote (numpy and
torch preloaded): the reports before and after a run that mutates every global it can reach must be
identical, and show pristine values. Each run also uses one BLAS/torch thread.
"""
from __future__ import annotations

import json
from typing import Iterator

import pytest

from grader.sandbox import SandboxPool


@pytest.fixture(scope="module")
def torch_pool() -> Iterator[SandboxPool]:
    with SandboxPool(jobs=1, preload=("numpy", "torch")) as pool:
        yield pool


def _report(torch_pool: SandboxPool, stage) -> dict:
    task = stage("report_globals", memory_mb=2048, wall_seconds=60)
    outcome = torch_pool.run(task)
    assert outcome.exit_code == 0, outcome.output
    return json.loads((task.workdir / "report.json").read_text())


@pytest.mark.slow
def test_a_run_that_mutates_globals_does_not_affect_the_next(torch_pool: SandboxPool, stage) -> None:
    before = _report(torch_pool, stage)
    mutate = stage("mutate_globals", memory_mb=2048, wall_seconds=60)
    outcome = torch_pool.run(mutate)
    assert outcome.exit_code == 0, outcome.output
    assert (mutate.workdir / "mutated").read_text() == "done"
    after = _report(torch_pool, stage)

    assert after == before
    assert after["allclose_1_2"] is False and after["isclose_1_2"] is False
    assert after["norm_3_4"] == 5.0
    assert after["print_precision"] == 8
    assert after["seterr"] == {"divide": "warn", "over": "warn", "under": "ignore", "invalid": "warn"}
    assert after["torch_default_dtype"] == "torch.float32"
    assert after["relu_of_minus_one"] == 0.0
    leaks = [name for name in after if name.startswith("leaked_") and after[name]]
    assert leaks == []


@pytest.mark.slow
def test_each_run_uses_one_blas_and_torch_thread(torch_pool: SandboxPool, stage) -> None:
    report = _report(torch_pool, stage)
    assert report["torch_threads"] == 1
    assert report["thread_env"] == {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    # after a 300x300 numpy matmul and a torch matmul, the process still has a single thread
    assert report["threads_after_blas_and_torch"] == 1



@pytest.mark.parametrize("cold", [False, True])
def test_a_cold_pool_starts_a_new_interpreter_for_every_run(stage, monkeypatch, cold: bool) -> None:
    """SandboxPool(cold=True), the benchmarks' "pool disabled": same isolation, a fresh zygote per run;
    the warm pool serves every run from the zygote it started."""
    from grader.sandbox import pool as pool_module

    launched = []
    launch = pool_module._Slot._launch

    def recording_launch(slot) -> None:
        launch(slot)
        launched.append(slot.process.pid)

    monkeypatch.setattr(pool_module._Slot, "_launch", recording_launch)
    with SandboxPool(jobs=1, preload=("numpy",), cold=cold) as pool:
        for _ in range(3):
            outcome = pool.run(stage("hello"))
            assert outcome.exit_code == 0, outcome.output
    assert len(set(launched)) == len(launched) == (3 if cold else 1)
