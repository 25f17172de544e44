"""`--scheduler`: a Dask cluster (here a LocalCluster of 2 worker processes x 1 thread) grades a class
exactly as the local pool does, and the figures a student's script drew come back with the result."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from grader.errors import GradingError
from grader.run import grade

distributed = pytest.importorskip("distributed")
import dask  # noqa: E402 - installed with distributed

SAMPLES = Path(__file__).parent.parent / "samples" / "bench_layers"


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local


@pytest.mark.slow
def test_a_cluster_grades_like_the_local_pool(cluster, tmp_path: Path) -> None:
    folder = tmp_path / "class"
    shutil.copytree(SAMPLES / "class", folder)
    shutil.copytree(SAMPLES / "figure", folder, dirs_exist_ok=True)

    on_cluster = grade(folder, "bench_layers", tmp_path / "dask", use_cache=False, scheduler=cluster.scheduler_address)
    local = grade(folder, "bench_layers", tmp_path / "local", jobs=2, use_cache=False)

    pd.testing.assert_frame_equal(on_cluster, local)
    assert dict(zip(on_cluster.student_id, on_cluster.total)) == {
        "ada_correct": 10.0, "bob_bgrad_mean": 8.0, "cai_no_relu": 8.0, "dan_syntax_error": 0.0, "eve_draws_figure": 10.0}
    for out in ("dask", "local"):
        figures = tmp_path / out / "bench_layers" / "feedback" / "eve_draws_figure_figures"
        assert [p.name for p in figures.iterdir()] == ["figure_01.png"]
    assert (tmp_path / "dask/bench_layers/feedback/eve_draws_figure_figures/figure_01.png").read_bytes() == \
        (tmp_path / "local/bench_layers/feedback/eve_draws_figure_figures/figure_01.png").read_bytes()

    # the result cache works the same on this path: nothing changed, nothing is sent
    again = grade(folder, "bench_layers", tmp_path / "dask", scheduler="tcp://127.0.0.1:1")  # unreachable
    pd.testing.assert_frame_equal(again, on_cluster)


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    shutil.copytree(SAMPLES / "class", folder)
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(GradingError, match="cannot reach the Dask scheduler"):
            grade(folder, "bench_layers", tmp_path / "out", scheduler="tcp://127.0.0.1:1")
