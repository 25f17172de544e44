"""The sandbox seam: the pool and the recorded-run cache in front of it are both SandboxRunners."""
from __future__ import annotations

from pathlib import Path

from grader.sandbox import SandboxPool
from grader.sandbox.runner import SandboxRunner
from grader.store.results import ResultStore
from grader.store.runs import CachedSandbox


def test_the_pool_and_the_cache_in_front_of_it_are_sandbox_runners(pool: SandboxPool, tmp_path: Path) -> None:
    assert isinstance(pool, SandboxRunner)
    with ResultStore(tmp_path / "results.sqlite") as store:
        with CachedSandbox(lambda: pool, store, jobs=2, assignment="numpy_nn") as cached:
            assert isinstance(cached, SandboxRunner)
