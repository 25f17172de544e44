"""Seconds per notebook by the two ways of running one: a Jupyter kernel (nbclient) and the in-process IPython
shell the grader uses (grader/probe/notebook.py, inside the sandbox). Numbers for docs/notebooks.md.

Run by hand (not a test), one assignment at a time, on an otherwise quiet machine:

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 .venv/bin/python benchmarks/notebook_methods.py dl_assignment1 [--repeat 3]

(the thread variables give the kernel the one torch thread every sandboxed run has; without them a kernel on
a busy 2-core machine can take ten times longer, see docs/notebooks.md)

(a) nbclient: `NotebookClient(nb, kernel_name="python3", timeout=cell_seconds, allow_errors=True).execute()`
    in this (trusted, unsandboxed) process, kernel start included: a kernel cannot run in the sandbox's empty
    network namespace (it talks to its client over localhost TCP), so this is its best case.
(b) the grader: one sandboxed run of the notebook through the warm pool, the same as grading it, and measured
    the same way the gradebook reports it (`run.wall_s`: fork to exit, the probe's steps included).

Needs nbclient and ipykernel (`pip install nbclient ipykernel`), which grading itself does not. Notebooks that
end on the per-cell limit or are not valid JSON are listed but left out of the medians.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from grader.assignments import grader_home, load_assignment, load_reference
from grader.discover import discover
from grader.grading import run_observed
from grader.sandbox.pool import SandboxPool


def nbclient_seconds(path: Path, support: tuple[Path, ...], cell_seconds: float) -> float | None:
    """Run in a scratch folder holding the notebook and the rubric's support files, as the sandbox does."""
    import nbformat
    from nbclient import NotebookClient

    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception:
        return None
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    with tempfile.TemporaryDirectory(prefix="grader-bench-nb-") as scratch:
        for file in support:
            shutil.copyfile(file, Path(scratch) / file.name)
        client = NotebookClient(notebook, kernel_name="python3", timeout=int(cell_seconds), allow_errors=True,
                                interrupt_on_timeout=True, resources={"metadata": {"path": scratch}})
        started = time.perf_counter()
        client.execute()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--skip-nbclient", action="store_true")
    args = parser.parse_args()
    rubric = load_assignment(args.assignment)
    reference = load_reference(rubric)
    heldout = {spec.name: getattr(reference, spec.function)(spec.seed, spec.size)[0] for spec in rubric.heldout}
    submissions = [s for s in discover(grader_home() / "submissions" / rubric.name, rubric.main_file) if s.main_file]
    cell_seconds = rubric.limits.cell_seconds or rubric.limits.load_seconds
    rows = {}
    with SandboxPool(jobs=1, preload=rubric.limits.preload) as pool:
        for submission in submissions:
            grader_runs, kernel_runs = [], []
            for _ in range(args.repeat):
                extra = tuple(p for p in submission.files if p != submission.main_file) if submission.root.is_dir() else ()
                artifacts = run_observed(pool, rubric, submission.main_file, extra, submission.root, heldout, (), None)
                grader_runs.append(artifacts.outcome.wall_s)
                if not args.skip_nbclient:
                    kernel_runs.append(nbclient_seconds(submission.main_file, rubric.support, cell_seconds))
            cells = artifacts.observations.items.get("notebook.cells")
            statuses = [c.get("status") for c in (cells.value if cells is not None and isinstance(cells.value, list) else [])]
            normal = bool(statuses) and "timeout" not in statuses
            rows[submission.student_id] = (statistics.median(grader_runs),
                                           statistics.median(kernel_runs) if kernel_runs and None not in kernel_runs else None,
                                           normal)
            print(f"{submission.student_id:40s} grader {rows[submission.student_id][0]:6.2f} s   "
                  f"nbclient {rows[submission.student_id][1] or float('nan'):6.2f} s   {'' if normal else '(left out)'}",
                  flush=True)
    normal = [r for r in rows.values() if r[2]]
    summary = {
        "assignment": rubric.name,
        "notebooks": len(normal),
        "grader_median_s": round(statistics.median(r[0] for r in normal), 2),
        "nbclient_median_s": round(statistics.median(r[1] for r in normal if r[1] is not None), 2)
        if any(r[1] is not None for r in normal) else None,
    }
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
