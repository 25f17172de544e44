"""Command line: `grader run`, `grader selftest`, `grader list`. Thin wrappers over the Python API."""
from __future__ import annotations

import argparse
import signal
import sqlite3
import sys
import threading
from pathlib import Path

from rich.console import Console
from rich.markup import escape  # messages quote rubric text like "[api]": never markup
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from grader.assignments import available_assignments


def _positive_int(text: str) -> int:
    """argparse type for counts such as --jobs: a whole number of at least 1 (else a usage error, not a traceback)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Sandboxed, behavioural autograding for deep-learning coursework.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="grade a folder of submissions")
    run.add_argument("submissions", type=Path, help="folder with <student>.py files, one folder per student, or one folder per assignment")
    run.add_argument("--assignment", help="assignment name (default: inferred from folder or file names)")
    run.add_argument("--out", type=Path, default=Path("grading"), help="output folder (default: ./grading)")
    run.add_argument("--jobs", type=_positive_int, default=None, help="submissions graded at once (default: number of cores)")
    run.add_argument("--no-cache", action="store_true", help="regrade everything, even unchanged submissions")
    run.add_argument("--public-only", action="store_true", help="withhold details of hidden checks in feedback reports")
    run.add_argument("--scheduler", metavar="ADDRESS", default=None,
                     help="grade on a Dask cluster, e.g. tcp://host:8786 (see docs/scaling.md)")
    run.add_argument("--allow-weak-isolation", action="store_true",
                     help="grade even where the sandbox cannot isolate student code (marked in every report)")
    _lms_arguments(run)
    selftest = commands.add_parser("selftest", help="check a rubric against its reference and its known mistakes (mutants)")
    selftest.add_argument("assignment")
    selftest.add_argument("--jobs", type=_positive_int, default=None)
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
    commands.add_parser("doctor", help="check this machine's sandbox: isolation features and a short self-attack")
    kit = commands.add_parser("kit", help="build the self-check kit students may have (docs/lms.md)")
    kit.add_argument("assignment")
    kit.add_argument("--out", type=Path, default=Path("kit"), help="the kit's folder (default: ./kit)")
    check = commands.add_parser("check", help="check your file with the public checks of a kit")
    check.add_argument("file", type=Path, help="your file, e.g. hw1.py")
    check.add_argument("--kit", type=Path, default=None, help="the kit folder (default: found from the file's folder)")
    bundle = commands.add_parser("gradescope-bundle", help="build the autograder zip for Gradescope (docs/lms.md)")
    bundle.add_argument("assignment")
    bundle.add_argument("--out", type=Path, default=None, help="the zip to write (default: ./<assignment>_autograder.zip)")
    export = commands.add_parser("export", help="write grades in an LMS's import format (docs/lms.md)")
    export.add_argument("out", type=Path, help="the file to write")
    export.add_argument("--format", choices=("canvas", "moodle", "brightspace", "csv"), default="csv")
    export.add_argument("--from", dest="results", type=Path, default=Path("grading"),
                        help="the output folder of `grader run` (default: ./grading)")
    export.add_argument("--assignment", default=None, help="which assignment, when the folder holds several")
    export.add_argument("--item", default=None,
                        help="the LMS's name of the grade item, e.g. 'Assignment C (4711)' for Canvas (default: the assignment)")
    export.add_argument("--roster", type=Path, default=None, help="roster CSV (default: the one the run used)")
    export.add_argument("--roster-columns", metavar="FIELD=COLUMN,...", default=None)
    export.add_argument("--allow-pending", action="store_true",
                        help="also export students whose manual items are not graded yet (their points so far)")
    serve = commands.add_parser("serve", help="the TA's workbench in the browser: grade by question, review, analytics")
    serve.add_argument("out", type=Path, help="output folder of `grader run` (one subfolder per assignment)")
    serve.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: 8765, or a free one)")
    serve.add_argument("--no-browser", action="store_true", help="print the address only; do not open a browser")
    serve.add_argument("--name", default=None, help="who is grading, recorded with every score (default: your user name)")
    stats = commands.add_parser("stats", help="class statistics of graded assignments")
    stats.add_argument("out", type=Path, help="output folder of `grader run`")
    return parser


def _lms_arguments(run: argparse.ArgumentParser) -> None:
    """`grader run` options for LMS downloads and class rosters (docs/lms.md)."""
    run.add_argument("--layout", choices=("auto", "plain", "canvas", "moodle", "gradescope"), default="auto",
                     help="how the submissions are laid out (default: recognised; SUBMISSIONS may be Canvas's submissions.zip)")
    run.add_argument("--attempt", choices=("latest", "first"), default="latest",
                     help="which of a student's several uploads counts (default: latest)")
    run.add_argument("--roster", type=Path, default=None, help="class roster CSV (id, name, email, section)")
    run.add_argument("--roster-columns", metavar="FIELD=COLUMN,...", default=None,
                     help="the roster's column names, e.g. 'id=Student Number,name=Full name'")


def _lms_options(args):
    from grader.discover.lms import LmsOptions
    from grader.discover.roster import parse_columns

    return LmsOptions(args.layout, args.attempt, args.roster, tuple(parse_columns(args.roster_columns).items()))


def interruptible() -> None:
    """Make Ctrl-C (SIGINT) raise KeyboardInterrupt, whatever SIGINT disposition the process inherited.

    A shell starts background jobs (and the commands of many scripts and services) with SIGINT ignored,
    and Python then installs no handler of its own: such a grader would ignore Ctrl-C and `kill -INT`
    and leave its sandboxes running until their time limits.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)


def main(argv: list[str] | None = None) -> int:
    interruptible()
    args = _parser().parse_args(argv)
    console = Console(stderr=False)
    from grader.discover.roster import RosterError
    from grader.errors import GradingError, IsolationRefused
    from grader.rubric import RubricError

    try:
        if args.command == "run":
            return _run(args, console)
        if args.command == "selftest":
            return _selftest(args, console)
        if args.command == "kit":
            return _kit(args, console)
        if args.command == "check":
            return _check(args, console)
        if args.command == "gradescope-bundle":
            from grader.gradescope.bundle import build_bundle

            out = args.out or Path(f"{args.assignment}_autograder.zip")
            names = build_bundle(args.assignment, out)
            console.print(f"{out}: {len(names)} files; upload it as the assignment's autograder", highlight=False, markup=False)
            return 0
        if args.command == "export":
            return _export(args, console)
        if args.command == "handout":
            return _handout(args, console)
        if args.command == "doctor":
            return _doctor(console)
        if args.command in ("serve", "stats"):
            from grader.web.cli import serve_command, stats_command

            return (serve_command if args.command == "serve" else stats_command)(args, console)
        for name in available_assignments():
            console.print(name)
        return 0
    except IsolationRefused as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 3
    except (GradingError, RubricError, RosterError) as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2
    except (OSError, sqlite3.DatabaseError) as exc:
        # the machine's answer about a path the instructor gave (a read-only --out, a results.sqlite that is not one)
        console.print(f"[bold red]error:[/] {escape(_os_error_text(exc))}", highlight=False)
        return 2
    except KeyboardInterrupt:
        console.print("[yellow]interrupted; finished submissions are saved and a rerun continues from there[/]")
        return 130


def _os_error_text(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return str(exc)


def _run(args, console: Console) -> int:
    from grader.report.summary import print_summary
    from grader.run import grade_each

    columns = (TextColumn("[bold]grading[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("", total=None)

        def on_progress(student: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=student)

        books = grade_each(args.submissions, args.assignment, args.out, args.jobs, not args.no_cache,
                           args.public_only, on_progress, args.scheduler, args.allow_weak_isolation,
                           _lms_options(args))
    from grader.report.roster_rows import roster_lines

    for name, gradebook in books.items():
        console.print(f"[bold]{name}[/]")
        print_summary(gradebook, console)
        for line in roster_lines(gradebook):
            console.print(line, highlight=False, markup=False)
    _print_isolation(books, console)
    _warn_stale_selftests(books, console)
    console.print(f"gradebook, LMS export and feedback reports written under {args.out}/", highlight=False)
    return 0


def _doctor(console: Console) -> int:
    """Print each isolation feature and each self-attack; 0 only where grading untrusted code is safe."""
    from grader.sandbox.doctor import diagnose

    console.print("checking the sandbox (about 10 s) ...", highlight=False, soft_wrap=True)
    found = diagnose()
    console.print(f"[bold]Isolation features[/] ({'root' if found.machine.as_root else 'ordinary user'})")
    for feature in found.machine.features:
        kind = "required" if feature.required else "lesser"
        if feature.active:
            via = f"; via {escape(feature.via)}" if feature.via else ""
            console.print(f"  [green]active [/] {feature.name} ({kind}): {escape(feature.protects)}{via}", highlight=False, soft_wrap=True)
        else:
            console.print(f"  [red]MISSING[/] {feature.name} ({kind}): {escape(feature.protects)}\n"
                          f"          why: {escape(feature.why)}\n          to fix: {escape(feature.how)}", highlight=False, soft_wrap=True)
    console.print(f"  identity: {escape(found.identity)}", highlight=False, soft_wrap=True)
    console.print("[bold]Self-attack through the real sandbox[/]")
    for attack in found.attacks:
        mark = "[green]blocked[/]" if attack.blocked else "[red]EXPOSED[/]"
        console.print(f"  {mark} {attack.attack}: {escape(attack.detail)}", highlight=False, soft_wrap=True)
    if found.safe:
        console.print("[bold green]safe:[/] this machine can grade untrusted code", highlight=False, soft_wrap=True)
        return 0
    console.print("[bold red]not safe:[/] do not grade untrusted code here (see above)", highlight=False, soft_wrap=True)
    return 1


def _print_isolation(books: dict, console: Console) -> None:
    """The run summary's word on isolation: weakened grading, and lesser gaps of this machine."""
    from grader.sandbox.machine import last_inspection

    weakened = sorted({v for book in books.values() if "isolation" in book for v in book["isolation"] if v})
    for line in weakened:
        console.print(f"[bold yellow]warning:[/] students {escape(line)}; every report says so", highlight=False)
    machine = last_inspection()
    gaps = machine.lesser_gaps() if machine else ""
    if gaps:
        console.print(f"[yellow]note:[/] {escape(gaps)}", highlight=False)


def _kit(args, console: Console) -> int:
    from grader.kit.build import KitError, build_kit

    try:
        kit = build_kit(args.assignment, args.out)
    except KitError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2
    console.print(f"kit for {args.assignment} written to {kit.root}/ ({len(kit.files)} files):", highlight=False, markup=False)
    for name in kit.files:
        console.print(f"  {name}", highlight=False, markup=False)
    return 0


def _check(args, console: Console) -> int:
    from grader.kit.check import CheckError, check_file
    from grader.kit.terminal import print_check

    try:
        outcome = check_file(args.file, args.kit)
    except CheckError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2
    print_check(outcome, console)
    return 0 if all(c.status == "passed" for c in outcome.result.checks) else 1


def _export(args, console: Console) -> int:
    from grader.discover.roster import load_roster, parse_columns
    from grader.export.lms_formats import ExportError, export_grades

    try:
        roster = load_roster(args.roster, parse_columns(args.roster_columns)) if args.roster else None
        summary = export_grades(args.results, args.out, args.format, args.assignment, roster, args.item, args.allow_pending)
    except ExportError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2
    say = lambda text: console.print(text, highlight=False, markup=False)  # noqa: E731
    say(f"{args.out}: {summary.rows} roster rows, {summary.graded} with a grade ({args.format} format)")
    if summary.pending_withheld:
        say(f"{len(summary.pending_withheld)} row(s) held back (grade left blank) because manual items are still "
            f"pending: {', '.join(summary.pending_withheld)}; export them with --allow-pending")
    if summary.pending_exported:
        say(f"{len(summary.pending_exported)} row(s) exported with manual items still pending (points so far): "
            f"{', '.join(summary.pending_exported)}")
    if summary.missing:
        say(f"{len(summary.missing)} enrolled student(s) without a hand-in (status missing, grade blank): {', '.join(summary.missing)}")
    if summary.not_in_roster:
        say(f"{len(summary.not_in_roster)} graded hand-in(s) match no roster entry and are not in the file: "
            f"{', '.join(summary.not_in_roster)}")
    return 0


def _handout(args, console: Console) -> int:
    from grader.assignments import load_assignment
    from grader.rubric import RubricError

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
