"""Harness overhead per trivial submission at --jobs 1 and 2, cold vs warm, and where the time goes.

    .venv/bin/python benchmarks/overhead.py [--assignment bench_layers] [--small 10] [--large 60] [--reps 3]

A trivial submission is a file with one small class (`common.TRIVIAL`): the probe finds nothing else, so
what is measured is the harness. The marginal cost per submission is (T(large) - T(small)) / (large - small),
the median over `--reps` repetitions, which cancels the fixed costs (pool start, the reference run).
Goals (issue 6): <= 50 ms per submission, and >= 1.8x from --jobs 1 to --jobs 2.

Cold vs warm: the same marginal cost with the warm pool disabled (`SandboxPool(cold=True)`: a fresh
interpreter per submission, which imports the rubric's preload modules again, with the same isolation).

The breakdown (--jobs 1) times each stage of the per-submission path with wrappers: discovery and content
hashing, workdir preparation, the sandbox round trip (fork, isolation, the probe in the child), reading
observations, judging, the SQLite commit, and writing the feedback reports.
"""
from __future__ import annotations

import argparse
import functools
import resource
import threading
import time
from collections import defaultdict

import grader.grading
import grader.report.incremental
import grader.store.runs
import grader.run
from common import machine, median, scratch, table, timed, trivial_class
from grader.discover.submission import Submission
from grader.run import grade
from grader.sandbox.pool import SandboxPool


def cpu_seconds() -> float:
    """CPU time of this process and of every child it has reaped (zygotes, and through them every run)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def marginal_ms(assignment: str, jobs: int, small: int, large: int, reps: int,
                cold: bool = False) -> tuple[float, float, float]:
    """Marginal wall ms and CPU ms per submission, and wall s of the large batch; medians over reps.

    The CPU time (grader process, zygotes, keepers and runs together; the pool's zygotes are reaped when
    `grade` returns) does not depend on the load of a shared machine the way wall time does: with C ms of
    CPU per submission, N cores cannot do better than C / N ms of wall time per submission.
    """
    grader.run.SandboxPool = functools.partial(SandboxPool, cold=True) if cold else SandboxPool
    try:
        results = []
        with scratch() as work:
            folders = {n: trivial_class(n, work / f"class{n}") for n in (small, large)}
            for rep in range(reps):
                times, cpu = {}, {}
                for n, folder in folders.items():
                    before = cpu_seconds()
                    times[n], _ = timed(grade, folder, assignment, work / f"out{rep}-{n}", jobs=jobs, use_cache=False)
                    cpu[n] = cpu_seconds() - before
                results.append(((times[large] - times[small]) / (large - small) * 1000,
                                (cpu[large] - cpu[small]) / (large - small) * 1000, times[large]))
        return median(r[0] for r in results), median(r[1] for r in results), median(r[2] for r in results)
    finally:
        grader.run.SandboxPool = SandboxPool


class Stopwatch:
    """Accumulates wall time per stage across threads."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def wrap(self, owner, name: str, stage: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed_call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds[stage] += time.perf_counter() - start
                    self.calls[stage] += 1

        setattr(owner, name, timed_call)
        self._restore = getattr(self, "_restore", []) + [(owner, name, original)]

    def restore(self) -> None:
        for owner, name, original in reversed(getattr(self, "_restore", [])):
            setattr(owner, name, original)


def breakdown(assignment: str, count: int) -> list[list[object]]:
    """Per-submission milliseconds of each stage, grading `count` trivial submissions at --jobs 1."""
    watch = Stopwatch()
    stages = [
        (Submission, "content_hash", "content hashing (cache lookup and result)"),
        (grader.run, "discover", "discovery"),
        (grader.grading, "create_workdir", "workdir: create"),
        (grader.grading, "copy_submission", "workdir: copy hand-in"),
        (grader.grading, "write_inputs", "workdir: inputs"),
        (grader.grading, "write_task", "workdir: task.json"),
        (SandboxPool, "run", "sandbox round trip (fork, isolation, probe in the child)"),
        (grader.store.runs, "run_key", "recorded runs: digest of the sandbox input"),
        (grader.store.runs, "_pack", "recorded runs: packing the run's files"),
        (grader.run.ResultStore, "put_run", "recorded runs: storing"),
        (grader.grading, "read_observations", "reading observations"),
        (grader.grading, "remove_workdir", "workdir: remove"),
        (grader.grading, "judge_submission", "judging"),
        (grader.grading, "advice_for", "advice notes"),
        (grader.run.ResultStore, "put", "SQLite commit"),
        (grader.report.incremental, "write_feedback", "feedback reports (Markdown + HTML)"),
        (grader.run, "build_gradebook", "gradebook"),
    ]
    with scratch() as work:
        folder = trivial_class(count, work / "class")
        for owner, name, stage in stages:
            watch.wrap(owner, name, stage)
        try:
            total, _ = timed(grade, folder, assignment, work / "out", jobs=1, use_cache=False)
        finally:
            watch.restore()
    rows = [[stage, f"{watch.seconds[stage] / count * 1000:.2f}", watch.calls[stage]] for _, _, stage in stages]
    rows.append(["whole run (incl. pool start and the reference run), per submission", f"{total / count * 1000:.2f}", ""])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assignment", default="bench_layers")
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=60)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--cold-large", type=int, default=30, help="large batch for the cold runs (they are slow)")
    args = parser.parse_args()
    print(f"machine: {machine()}\n")

    print(f"### Harness overhead per trivial submission ({args.assignment})\n")
    rows, warm = [], {}
    for jobs in (1, 2):
        warm[jobs], cpu, wall = marginal_ms(args.assignment, jobs, args.small, args.large, args.reps)
        rows.append([jobs, f"{warm[jobs]:.1f}", f"{cpu:.1f}", f"{wall:.2f}", "yes" if warm[jobs] <= 50 else "no",
                     machine().split("; ")[1]])
    print(table(["--jobs", "marginal wall ms / submission", "marginal CPU ms / submission",
                 f"wall s, {args.large} submissions", "<= 50 ms", "load after"], rows))
    speedup = warm[1] / warm[2]
    print(f"\nspeed-up from --jobs 1 to 2: {speedup:.2f}x (goal >= 1.8x: {'met' if speedup >= 1.8 else 'missed'}); {machine().split('; ')[1]}\n")

    print(f"### Cold vs warm ({args.assignment}, --jobs 1)\n")
    cold, cold_cpu, _ = marginal_ms(args.assignment, 1, args.small, args.cold_large, max(1, args.reps - 1), cold=True)
    warm_again, warm_cpu, _ = marginal_ms(args.assignment, 1, args.small, args.cold_large, max(1, args.reps - 1))
    print(table(["pool", "marginal wall ms / submission", "marginal CPU ms / submission"], [
        ["warm (fork from a zygote that imported the preload)", f"{warm_again:.1f}", f"{warm_cpu:.1f}"],
        ["cold (a fresh interpreter per submission)", f"{cold:.1f}", f"{cold_cpu:.1f}"],
    ]))
    print(f"\ncold / warm: {cold / warm_again:.1f}x (wall), {cold_cpu / warm_cpu:.1f}x (CPU); {machine().split('; ')[1]}\n")

    print(f"### Where the time goes ({args.assignment}, --jobs 1, {args.large} trivial submissions)\n")
    print(table(["stage", "ms / submission", "calls"], breakdown(args.assignment, args.large)))
    print(f"\n{machine().split('; ')[1]}")


if __name__ == "__main__":
    main()
