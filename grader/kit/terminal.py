"""`grader check` in the terminal: each public check with its points, and for every lost point what was
expected, what was observed and a hint, in the words of the feedback report."""
from __future__ import annotations

from pathlib import PurePath

from rich.console import Console
from rich.text import Text

from grader.kit.check import CheckOutcome
from grader.report.text import clean_output, fmt_points

_MARK = {"passed": ("✔", "green"), "failed": ("✘", "red"), "error": ("✘", "red"), "timeout": ("⏱", "red"),
         "skipped": ("–", "yellow")}


def print_check(outcome: CheckOutcome, console: Console) -> None:
    """The student's view of a `grader check` run."""
    result = outcome.result
    where = ("in the grader's sandbox" if outcome.isolation == "sandbox"
             else f"in the grader's sandbox with {outcome.isolation} (this machine does not allow more)")
    name = PurePath(result.files[0]).name if result.files else "your file"
    console.print(Text(f"Checked {name} against the public checks of {result.assignment}, {where}."))
    if result.problem or result.run.message:
        console.print(Text(clean_output(result.problem or result.run.message), style="yellow"))
    for check in result.checks:
        mark, style = _MARK.get(check.status, ("•", ""))
        line = Text(f"{mark} ", style=style)
        line.append(f"{check.title}  ")
        line.append(f"{fmt_points(check.score)}/{fmt_points(check.max_score)}", style="bold")
        console.print(line)
        if check.status != "passed":
            for label, value in (("", check.message), ("expected: ", check.expected), ("observed: ", check.observed),
                                 ("hint: ", check.hint)):
                if value:
                    console.print(Text(f"    {label}{clean_output(value)}"))
    for note in result.notes:
        console.print(Text(f"Note: {clean_output(note)}", style="cyan"))
    passed = sum(c.status == "passed" for c in result.checks)
    console.print(Text(f"Public checks: {fmt_points(result.score)} / {fmt_points(result.max_score)} points, "
                       f"{passed} of {len(result.checks)} checks passed.", style="bold"))
    console.print(Text(f"Report: {outcome.report}"))
    console.print(Text("Grading runs more checks on other inputs; this is a self-check, not a grade.", style="dim"))
