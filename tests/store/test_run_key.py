"""What a recorded run is keyed by: the workdir's content and the probe's source, not where they live."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from grader.sandbox import Limits, SandboxTask
from grader.store.runs import run_key

PROBE = Path(__file__).resolve().parents[2] / "probes" / "bench_layers.py"


def _task(root: Path, probe: Path, seed: int = 1) -> SandboxTask:
    workdir = root / "work"
    (workdir / "submission").mkdir(parents=True)
    (workdir / "submission" / "layers.py").write_text("class NPReLU: pass\n")
    (workdir / "task.json").write_text(json.dumps({"probe": str(probe), "seed": seed}, sort_keys=True))
    return SandboxTask(workdir, "grader.probe.runtime:run_in_child", Limits())


def _probe_copy(folder: Path) -> Path:
    folder.mkdir(parents=True)
    return Path(shutil.copy(PROBE, folder / PROBE.name))


def test_the_same_probe_in_another_checkout_replays_the_same_runs(tmp_path):
    here = run_key(_task(tmp_path / "a", _probe_copy(tmp_path / "clone1")))
    elsewhere = run_key(_task(tmp_path / "b", _probe_copy(tmp_path / "clone2")))
    assert here is not None and here == elsewhere


def test_a_different_probe_or_task_is_another_run(tmp_path):
    probe = _probe_copy(tmp_path / "clone")
    base = run_key(_task(tmp_path / "a", probe))
    assert run_key(_task(tmp_path / "b", probe, seed=2)) != base
    probe.write_text(probe.read_text() + "\n# edited\n")
    assert run_key(_task(tmp_path / "c", probe)) != base
