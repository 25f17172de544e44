"""The `grader serve` and `grader stats` commands (kept here so that cli.py stays a thin dispatcher)."""
from __future__ import annotations

import math

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.report.text import fmt_points
from grader.web.analytics import ClassStats, class_stats
from grader.web.workbench import Workbench


def serve_command(args, console: Console) -> int:
    from grader.web.serve import serve

    bench = Workbench(args.out)
    if not bench.assignments():
        console.print(f"no graded assignment in {args.out} (no */results.sqlite): run `grader run ... --out {args.out}` first",
                      markup=False, highlight=False)
        return 2

    def announce(url: str) -> None:
        console.print("The workbench is at (keep this address private: the token in it is the password):",
                      markup=False, highlight=False)
        print(url, flush=True)

    try:
        serve(args.out, args.port, not args.no_browser, args.name, announce=announce)
    except OSError as exc:
        console.print(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}", markup=False, highlight=False)
        return 2
    return 0


def stats_command(args, console: Console) -> int:
    bench = Workbench(args.out)
    names = bench.assignments()
    if not names:
        console.print(f"no graded assignment in {args.out}", markup=False, highlight=False)
        return 2
    for name in names:
        print_stats(class_stats(name, bench.results(name)), console)
    return 0


def print_stats(stats: ClassStats, console: Console) -> None:
    """The analytics page's numbers as terminal tables."""
    console.print(Text(f"{stats.assignment}: {stats.students} students, mean {stats.mean_percent:.1f}%", style="bold"))
    console.print("status: " + ", ".join(f"{status} {n}" for status, n in stats.statuses.items()), markup=False,
                  highlight=False)
    console.print(_histogram(stats))
    rates = Table(title="Full points per check")
    for column, justify in (("check", "left"), ("points", "right"), ("full points", "right"), ("rate", "right")):
        rates.add_column(column, justify=justify)
    for rate in stats.rates:
        shown = "–" if math.isnan(rate.rate) else f"{rate.rate * 100:.0f}%"
        rates.add_row(Text(rate.check_id), fmt_points(rate.max_points), f"{rate.full}/{rate.scored}", shown)
    console.print(rates)
    failed = stats.most_failed(5)
    if failed:
        console.print("most frequently failed: " + ", ".join(f"{r.check_id} ({r.scored - r.full})" for r in failed),
                      markup=False, highlight=False)
    resources = Table(title="Time and memory per submission")
    for column in ("student", "wall s", "peak MB"):
        resources.add_column(column, justify="left" if column == "student" else "right")
    for student, wall, memory in stats.resources:
        resources.add_row(Text(student), f"{wall:.1f}", f"{memory:.0f}")
    console.print(resources)


def _histogram(stats: ClassStats, bins: int = 10) -> Table:
    table = Table(title="Total points")
    table.add_column("points", justify="right")
    table.add_column("students")
    top = stats.max_points or 1.0
    counts = [0] * bins
    for total in stats.totals:
        counts[min(bins - 1, max(0, int(total / top * bins)))] += 1
    for index, count in enumerate(counts):
        low, high = top * index / bins, top * (index + 1) / bins
        table.add_row(f"{low:g}–{high:g}", "█" * count + f" {count}")
    return table
