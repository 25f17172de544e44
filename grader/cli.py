"""Command line: `grader run`, `grader selftest`, `grader list`. Thin wrappers over the Python API."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape  # messages quote rubric text like "[api]": never markup
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from grader.assignments import available_assignments


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Sandboxed, behavioural autograding for deep-learning coursework.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="grade a folder of submissions")
    run.add_argument("submissions", type=Path, help="folder with <student>.py files, one folder per student, or one folder per assignment")
    run.add_argument("--assignment", help="assignment name (default: inferred from folder or file names)")
    run.add_argument("--out", type=Path, default=Path("grading"), help="output folder (default: ./grading)")
    run.add_argument("--jobs", type=int, default=None, help="submissions graded at once (default: number of cores)")
    run.add_argument("--no-cache", action="store_true", help="regrade everything, even unchanged submissions")
    run.add_argument("--public-only", action="store_true", help="withhold details of hidden checks in feedback reports")
    run.add_argument("--scheduler", metavar="ADDRESS", default=None,
                     help="grade on a Dask cluster, e.g. tcp://host:8786 (see docs/scaling.md)")
    selftest = commands.add_parser("selftest", help="check a rubric against its reference and its known mistakes (mutants)")
    selftest.add_argument("assignment")
    selftest.add_argument("--jobs", type=int, default=None)
    selftest.add_argument("--generate", action="store_true",
                          help="also generate mutants of the reference and report a mutation score per check")
    selftest.add_argument("--max-mutants", type=int, default=None, metavar="N",
                          help="cap on generated mutants, sampled deterministically (default: 60)")
    selftest.add_argument("--seeds", type=int, default=None, metavar="K",
                          help="measure false fails of random checks over K seeds (default: 10 with --generate, else 0)")
    selftest.add_argument("--accept", action="store_true",
                          help="with --generate: record the current kills and survivors in the assignment's generated.toml")
    selftest.add_argument("--docs", type=Path, default=None, metavar="FILE",
                          help="with --generate: write this assignment's table into FILE (e.g. docs/rubric-strength.md)")
    handout = commands.add_parser("handout", help="print the student-facing contract of an assignment")
    handout.add_argument("assignment")
    commands.add_parser("list", help="list the assignments this grader knows")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console(stderr=False)
    from grader.run import GradingError
    from grader.score.rubric import RubricError

    try:
        if args.command == "run":
            return _run(args, console)
        if args.command == "selftest":
            return _selftest(args, console)
        if args.command == "handout":
            return _handout(args, console)
        for name in available_assignments():
            console.print(name)
        return 0
    except (GradingError, RubricError) as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2
    except KeyboardInterrupt:
        console.print("[yellow]interrupted; finished submissions are saved and a rerun continues from there[/]")
        return 130


def _run(args, console: Console) -> int:
    from grader.report.summary import print_summary
    from grader.run import grade_each

    columns = (TextColumn("[bold]grading[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("", total=None)

        def on_progress(student: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=student)

        books = grade_each(args.submissions, args.assignment, args.out, args.jobs, not args.no_cache,
                           args.public_only, on_progress, args.scheduler)
    for name, gradebook in books.items():
        console.print(f"[bold]{name}[/]")
        print_summary(gradebook, console)
    _warn_stale_selftests(books, console)
    console.print(f"gradebook, LMS export and feedback reports written under {args.out}/", highlight=False)
    return 0


def _handout(args, console: Console) -> int:
    from grader.assignments import load_assignment
    from grader.score.rubric import RubricError

    try:
        rubric = load_assignment(args.assignment)
    except RubricError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2
    text = getattr(rubric, "handout", "")
    if text:
        print(text.strip("\n"))  # plain print: the contract's own line breaks matter, no re-wrapping
        return 0
    # Without a written contract, the API table of the rubric is the contract.
    console.print(f"{rubric.title}\nHand in: {rubric.main_file}\n", highlight=False, markup=False)
    for name, methods in rubric.api.items():
        console.print(f"{name}: " + ", ".join(methods), highlight=False, markup=False)
    return 0


def _warn_stale_selftests(books: dict, console: Console) -> None:
    from grader.assignments import load_assignment
    from grader.strength.record import staleness

    for name in books:
        warning = staleness(load_assignment(name))
        if warning:
            console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)


def _selftest(args, console: Console) -> int:
    if args.generate:
        from grader.strength.command import run_generated_selftest

        lines, ok = run_generated_selftest(args.assignment, args.jobs, args.max_mutants, args.seeds, args.accept, args.docs)
        for line in lines:
            console.print(line, highlight=False, markup=False, emoji=False, soft_wrap=True)
        return 0 if ok else 1
    from grader.selftest import run_selftest
    from grader.strength.record import write_record

    report = run_selftest(args.assignment, jobs=args.jobs)
    for line in report.lines():
        console.print(line, highlight=False)
    ok = report.ok
    if args.seeds:
        from grader.assignments import load_assignment
        from grader.strength.report import false_fail_lines
        from grader.strength.seeds import measure

        rates = measure(load_assignment(args.assignment), args.seeds, args.jobs)
        for line in false_fail_lines(rates, args.seeds):
            console.print(line, highlight=False, markup=False, emoji=False, soft_wrap=True)
        ok = ok and all(r.ok for r in rates)
    from grader.assignments import load_assignment

    write_record(load_assignment(args.assignment), ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
