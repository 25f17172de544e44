"""Notebooks run cell by cell in an IPython shell inside the sandbox (grader.probe.notebook).

Each test runs one notebook from tests/probe/files/ in a sandboxed process (the shell is one per process)
and reads back the per-cell outcomes, the figures and the observations it recorded.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from grader.observations import read_observations
from grader.probe.notebook import find_names, read_cells, NotebookFormatError
from grader.sandbox import Limits, SandboxPool, SandboxTask

FILES = Path(__file__).parent / "files"
ENTRY = "tests.probe.entries:run_notebook_entry"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pool() -> Iterator[SandboxPool]:
    with SandboxPool(jobs=2, preload=("numpy", "matplotlib", "matplotlib.pyplot", "IPython")) as shared:
        yield shared


@pytest.fixture
def run(pool):
    scratch = Path(tempfile.mkdtemp(prefix="grader-test-nb-", dir="/var/tmp"))
    counter = iter(range(100))

    def go(name: str, cell_seconds: float = 10, total_seconds: float = 30, track=(), values=()):
        workdir = scratch / f"run{next(counter)}"
        workdir.mkdir()
        shutil.copyfile(FILES / name, workdir / "notebook.ipynb")
        (workdir / "params.json").write_text(json.dumps({"cell_seconds": cell_seconds, "total_seconds": total_seconds,
                                                          "track": list(track), "values": list(values)}))
        outcome = pool.run(SandboxTask(workdir=workdir, entry=ENTRY, limits=Limits(wall_seconds=total_seconds + 20, memory_mb=2048)))
        assert outcome.exit_code == 0, outcome.output[-2000:]
        result = json.loads((workdir / "result.json").read_text())
        result["observations"] = read_observations(workdir / "observations")
        result["figures"] = sorted(p.name for p in (workdir / "figures").glob("*.png")) if (workdir / "figures").is_dir() else []
        result["output"] = outcome.output
        return result

    yield go
    shutil.rmtree(scratch, ignore_errors=True)


def by_index(result: dict) -> dict[int, dict]:
    return {cell["index"]: cell for cell in result["cells"]}


def test_magics_plt_show_and_figures_are_captured_per_cell(run):
    result = run("magics.ipynb", values=("x", "y", "after_shell"))
    cells = by_index(result)
    assert all(cell["status"] == "ok" for cell in cells.values()), cells
    assert result["values"] == {"x": 21, "y": 42, "after_shell": True}
    # plt.show() in cell 4, a figure left open in cell 5, and `%matplotlib qt` falls back to inline in cell 8
    assert cells[4]["figures"] == ["figure_01.png"] and cells[5]["figures"] == ["figure_02.png"]
    assert cells[8]["figures"] == ["figure_03.png"]
    assert result["figures"] == ["figure_01.png", "figure_02.png", "figure_03.png"]
    assert "shell command not run: !pip install" in result["output"]
    assert "hidden by %%capture" not in result["output"] and "y is 42" in result["output"]
    assert result["names"] == {"names": "Ada Lovelace, Alan Turing", "group": "12"}


def test_a_failing_cell_does_not_stop_the_notebook_and_says_where(run):
    result = run("failing_cells.ipynb", track=("f",), values=("reached",))
    cells = by_index(result)
    assert [cells[i]["status"] for i in sorted(cells)] == ["ok", "error", "error", "error", "error", "ok"]
    assert cells[3]["error"].startswith("NameError: name 'undefined_name' is not defined")
    assert cells[3]["where"][-1] == "notebook.ipynb, cell 3, line 2: return undefined_name + x"
    assert cells[3]["heading"] == "Part 1" and cells[6]["heading"] == "Part 2"
    assert cells[6]["error"].startswith("SyntaxError") and cells[6]["where"] == ["notebook.ipynb, cell 6, line 1: def broken(:"]
    assert cells[7]["error"].startswith("SystemExit: the code called sys.exit(3)")
    assert result["values"] == {"reached": True} and result["error"] is None
    # both definitions of f are kept, with the cell that made each
    assert result["versions"] == {"f": [[2, 2], [8, 3]]}
    observations = result["observations"]
    assert observations.items["cell.3.error"].error.type == "NameError"
    assert {k for k in observations.items if k.startswith("cell.")} == {f"cell.{i}.error" for i in (3, 5, 6, 7)}


def test_input_fails_fast_with_a_clear_message(run):
    cells = by_index(run("failing_cells.ipynb"))
    assert cells[5]["status"] == "error"
    assert "input() cannot be used when the notebook is graded" in cells[5]["error"]


def test_builtins_are_restored_after_the_run(run):
    assert run("failing_cells.ipynb")["input_restored"]


def test_a_cell_that_never_ends_is_stopped_and_the_next_one_runs(run):
    result = run("slow.ipynb", cell_seconds=1.5, total_seconds=20, values=("after_loop", "slept", "last"))
    cells = by_index(result)
    assert cells[2]["status"] == "timeout" and "1.5 s per cell" in cells[2]["error"]
    assert result["values"] == {"after_loop": True, "slept": 3, "last": True}
    assert result["error"] is None
    assert result["observations"].items["cell.2.error"].error.timeout


def test_the_whole_notebook_has_a_time_limit_too(run):
    result = run("slow.ipynb", cell_seconds=1.5, total_seconds=2.5, values=("after_loop", "slept", "last"))
    statuses = [cell["status"] for cell in result["cells"]]
    assert statuses[:2] == ["ok", "timeout"] and statuses[-1] == "not-run"
    assert "last" not in result["values"]
    assert result["error"]["timeout"] and "all its cells together" in result["error"]["message"]


@pytest.mark.parametrize("name, message", [("malformed.ipynb", "its JSON is broken"), ("not_utf8.ipynb", "not UTF-8")])
def test_a_broken_notebook_file_is_reported_not_raised(run, name, message):
    result = run(name)
    assert result["cells"] == [] and message in result["error"]["message"]
    assert result["error"]["type"] == "SyntaxError"  # the run report then says nothing in it could be graded


def test_reading_cells_and_names_without_running(tmp_path):
    cells = read_cells(FILES / "magics.ipynb")
    assert cells[0]["type"] == "markdown" and cells[1]["source"].startswith("%matplotlib inline")
    assert find_names([{"type": "markdown", "source": "**Names:** <your names here>\n**Group:** ..."}]) == {}
    assert find_names([{"type": "code", "source": "NAMES = ['Ada', 'Bob']\nGROUP_NUMBER = 4"}]) == {"names": "Ada, Bob"}
    assert find_names([{"type": "code", "source": "group = 4"}]) == {"group": "4"}
    with pytest.raises(NotebookFormatError, match="JSON is broken"):
        read_cells(FILES / "malformed.ipynb")
