"""Wall time to grade the numpy_nn sample class at --jobs 1 and 2, and the harness cost per empty submission.

Run by hand (not a test): `.venv/bin/python benchmarks/numpy_nn_timings.py`. Prints a Markdown table.
The marginal cost of an empty submission is (T(n_large) - T(n_small)) / (n_large - n_small), which
removes fixed costs (pool start, the reference run, report writing of the first files).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from grader.assignments import grader_home
from grader.run import grade

EMPTY_SUBMISSION = "# an empty hand-in: defines nothing\n"


def timed_grade(folder: Path, jobs: int) -> float:
    out = Path(tempfile.mkdtemp(prefix="grader-bench-out-"))
    try:
        start = time.perf_counter()
        grade(folder, "numpy_nn", out, jobs=jobs, use_cache=False)
        return time.perf_counter() - start
    finally:
        shutil.rmtree(out, ignore_errors=True)


def empty_class(count: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="grader-bench-empty-"))
    for index in range(count):
        (folder / f"student_{index:03d}.py").write_text(EMPTY_SUBMISSION)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=60)
    args = parser.parse_args()
    samples = grader_home() / "submissions" / "numpy_nn"
    count = len(list(samples.glob("*.py")))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| measurement | jobs 1 | jobs 2 |\n|---|---|---|")
    sample_times = [timed_grade(samples, jobs) for jobs in (1, 2)]
    print(f"| sample class ({count} submissions), wall s | {sample_times[0]:.1f} | {sample_times[1]:.1f} |")
    marginal = []
    for jobs in (1, 2):
        small, large = empty_class(args.small), empty_class(args.large)
        try:
            t_small, t_large = timed_grade(small, jobs), timed_grade(large, jobs)
        finally:
            shutil.rmtree(small), shutil.rmtree(large)
        marginal.append((t_large - t_small) / (args.large - args.small) * 1000)
    print(f"| marginal cost per empty submission, ms | {marginal[0]:.0f} | {marginal[1]:.0f} |")


if __name__ == "__main__":
    main()
