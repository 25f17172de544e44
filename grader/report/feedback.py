"""Per-student feedback reports: Markdown and HTML from the same view, with PNG figures.

`render_feedback` is pure (result in, text and PNG bytes out); `write_feedback` puts the files
on disk atomically. Reports are written for the student: points, what was expected, what was
observed, a hint, and the figures that show it. Instructor-only numbers (`details`) never appear.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import jinja2

from grader.results.check import CheckResult
from grader.results.files import check_file_name as _check_file_name
from grader.results.files import student_figure_dir_name
from grader.report import text
from grader.report.diagnosis import diagnosis_sentences
from grader.report.figures import render_png
from grader.results.submission import SubmissionResult
from grader.report.inert import inert_result
from grader.atomic import write_atomic, write_text_atomic

WITHHELD = "details are withheld until grades are released"
TEMPLATES = Path(__file__).parent / "templates"

#: status -> (label for students, badge colour class, emoji for Markdown)
_STATUS = {
    "passed": ("passed", "pass", "✅"),
    "failed": ("failed", "fail", "❌"),
    "error": ("error", "fail", "❌"),
    "timeout": ("timed out", "fail", "⏱️"),
    "skipped": ("not run", "neutral", "➖"),
    "pending": ("awaiting grading", "neutral", "⏳"),
    "manual": ("graded by hand", "neutral", "✍️"),
}
_RUN_LABELS = {
    "ok": "While running your script",
    "timeout": "Your program ran out of time",
    "crashed": "Your program crashed",
    "memory": "Your program ran out of memory",
    "harness_error": "The grader itself failed on your submission (not your fault)",
}


@dataclass(frozen=True)
class FigureView:
    """One PNG next to the report: `href` relative to the report, `alt` for screen readers."""

    href: str
    alt: str


@dataclass(frozen=True)
class CheckView:
    """What the templates show of one check."""

    check_id: str
    title: str
    hidden: bool
    label: str
    badge: str
    emoji: str
    score: str
    max_score: str
    withheld: bool
    message: str = ""
    expected: str = ""
    observed: str = ""
    hint: str = ""
    figures: tuple[FigureView, ...] = ()
    #: notebook cells that concern this check and did not run cleanly: (cell number, what went wrong)
    cells: tuple[tuple[int, str], ...] = ()
    #: which known mistake the observations look like (advice, never points)
    diagnosis: str = ""


@dataclass(frozen=True)
class SectionView:
    """A rubric section: its checks and subtotal."""

    title: str
    score: str
    max_score: str
    checks: tuple[CheckView, ...]


@dataclass(frozen=True)
class RenderedFeedback:
    """A rendered report: Markdown, HTML and PNGs keyed by file name inside the figure folder."""

    markdown: str
    html: str
    figures: dict[str, bytes] = field(default_factory=dict)


def write_feedback(
    result: SubmissionResult,
    out_dir: Path,
    *,
    public_only: bool = False,
    section_titles: Mapping[str, str] | None = None,
    generated_at: str = "",
) -> tuple[Path, Path]:
    """Write ``<out_dir>/<student_id>.md`` and ``.html`` plus figures in ``<student_id>_files/``.

    With `public_only`, hidden checks keep their points but their message, expected and observed
    values, hint and figures are replaced by a "withheld" note. `section_titles` maps rubric
    section ids to titles; `generated_at` is printed in the footer when given (the report never
    reads the clock, so rewriting it gives identical bytes). Returns (markdown path, html path).

    Raises ValueError when the student id cannot be a file name, or when a check produced an
    inconsistent `FigureSpec` (a grader bug, so it is reported rather than drawn as a blank plot).
    """
    out_dir = Path(out_dir)
    rendered = render_feedback(
        result, public_only=public_only, section_titles=section_titles, generated_at=generated_at
    )
    _write_figures(out_dir / figure_dir_name(result.student_id), rendered.figures)
    md_path = out_dir / f"{result.student_id}.md"
    html_path = out_dir / f"{result.student_id}.html"
    write_text_atomic(md_path, rendered.markdown)
    write_text_atomic(html_path, rendered.html)
    return md_path, html_path


def figure_dir_name(student_id: str) -> str:
    """Name of the folder next to the reports that holds a student's PNGs."""
    _check_file_name(student_id)
    return f"{student_id}_files"


def render_feedback(
    result: SubmissionResult,
    *,
    public_only: bool = False,
    section_titles: Mapping[str, str] | None = None,
    generated_at: str = "",
) -> RenderedFeedback:
    """Render one student's report in memory; see `write_feedback` for the options."""
    result = inert_result(result)  # nothing a hand-in wrote reaches the report unescaped, uncut or as markup
    figures: dict[str, bytes] = {}
    views = {c.check_id: _check_view(result.student_id, c, public_only, figures) for c in result.checks}
    views = _with_notebook_cells(result, views)
    views = _with_diagnoses(result, views)
    context = _report_context(result, views, section_titles or {}, generated_at)
    env = _environment()
    return RenderedFeedback(
        markdown=env.get_template("feedback.md.j2").render(context),
        html=env.get_template("feedback.html.j2").render(context),
        figures=figures,
    )


def _check_view(student_id: str, check: CheckResult, public_only: bool, figures: dict[str, bytes]) -> CheckView:
    label, badge, emoji = _STATUS.get(check.status, (check.status, "neutral", "•"))
    if check.status == "manual" and check.lost <= 0:
        badge = "pass"
    withheld = public_only and check.visibility == "hidden"
    lost_points = check.lost > 0 and check.status != "pending"
    common = dict(
        check_id=check.check_id,
        title=check.title,
        hidden=check.visibility == "hidden",
        label=label,
        badge=badge,
        emoji=emoji,
        score=text.fmt_points(check.score) if check.status != "pending" else "–",
        max_score=text.fmt_points(check.max_score),
        withheld=withheld,
    )
    if withheld:
        return CheckView(**common, message=WITHHELD)
    shown = _render_figures(student_id, check, figures) if lost_points else ()
    return CheckView(
        **common,
        message=check.message,
        expected=check.expected,
        observed=check.observed,
        hint=check.hint,
        figures=shown,
    )


def _render_figures(student_id: str, check: CheckResult, figures: dict[str, bytes]) -> tuple[FigureView, ...]:
    views = []
    safe_id = re.sub(r"[^A-Za-z0-9_.-]", "_", check.check_id)
    for number, spec in enumerate(check.figures, start=1):
        name = f"{safe_id}-{number}.png"
        figures[name] = render_png(spec)
        href = quote(f"{figure_dir_name(student_id)}/{name}")
        views.append(FigureView(href=href, alt=spec.title or check.title))
    return tuple(views)


def _report_context(
    result: SubmissionResult,
    views: dict[str, CheckView],
    section_titles: Mapping[str, str],
    generated_at: str,
) -> dict[str, object]:
    max_score = result.max_score
    lost = [views[c.check_id] for c in result.checks if c.lost > 0 and c.status != "pending"]
    output = text.clean_output(result.run.stdout_tail)
    return {
        "r": result,
        "total": text.fmt_points(result.score),
        "max_score": text.fmt_points(max_score),
        "percent": f"{result.score / max_score * 100:.1f}" if max_score > 0 else "",
        "percent_width": f"{min(100.0, max(0.0, result.score / max_score * 100)):.1f}" if max_score > 0 else "0",
        "pending": text.fmt_points(result.pending_points) if result.pending_points else "",
        "run_failed": result.run.status != "ok" or bool(result.run.message),
        "run_label": ("While running your notebook" if result.run.status == "ok" and _notebook(result)
                      else _RUN_LABELS.get(result.run.status, result.run.status)),
        "sections": _sections(result, views, section_titles),
        "lost": lost,
        "student_figures": _student_figures(result),
        "notebook": _notebook_view(result, views),
        "output": output,
        "generated_at": generated_at,
    }


_FIGURE_NAME = re.compile(r"^figure_\d{2}\.png$")


def _student_figures(result: SubmissionResult) -> list[str]:
    """Links to the figures the script drew (names are ours, checked again since results are data)."""
    names = result.extra.get("figures", []) if isinstance(result.extra, dict) else []
    folder = student_figure_dir_name(result.student_id)
    return [quote(f"{folder}/{name}") for name in names if isinstance(name, str) and _FIGURE_NAME.match(name)]


_CELL_LABELS = {"error": "raised an error", "timeout": "did not finish in time", "not-run": "was not run"}


def _notebook(result: SubmissionResult) -> dict:
    notebook = result.extra.get("notebook") if isinstance(result.extra, dict) else None
    return notebook if isinstance(notebook, dict) else {}


def _cell_figure_hrefs(result: SubmissionResult, cell: dict) -> list[str]:
    folder = student_figure_dir_name(result.student_id)
    kept = set(result.extra.get("figures", []))
    return [quote(f"{folder}/{name}") for name in cell.get("figures", []) if name in kept and _FIGURE_NAME.match(name)]


def _with_notebook_cells(result: SubmissionResult, views: dict[str, CheckView]) -> dict[str, CheckView]:
    """For a notebook: next to each lost check, the cells that concern it and failed, and the figures they drew."""
    notebook = _notebook(result)
    if not notebook:
        return views
    cells = {c["index"]: c for c in notebook.get("cells", [])}
    for check in result.checks:
        view = views[check.check_id]
        related = [cells[i] for i in notebook.get("concerns", {}).get(check.check_id, []) if i in cells]
        if view.withheld or check.lost <= 0 or check.status == "pending" or not related:
            continue
        failed = tuple((c["index"], _CELL_LABELS[c["status"]]) for c in related if c["status"] in _CELL_LABELS)
        drawn = tuple(FigureView(href, f"Your figure from cell {c['index']}") for c in related
                      for href in _cell_figure_hrefs(result, c))
        views[check.check_id] = replace(view, cells=failed, figures=view.figures + drawn)
    return views


def _with_diagnoses(result: SubmissionResult, views: dict[str, CheckView]) -> dict[str, CheckView]:
    """Beside the hint of each lost check: the known mistake its observations match, if any."""
    for check_id, text in diagnosis_sentences(result.extra).items():
        view = views.get(check_id)
        if view is not None and not view.withheld:
            views[check_id] = replace(view, diagnosis=text)
    return views


def _notebook_view(result: SubmissionResult, views: dict[str, CheckView]) -> dict:
    """Cells that failed (each with an anchor `cell-<n>`), figures grouped by cell, the names in the notebook."""
    notebook = _notebook(result)
    if not notebook:
        return {}
    concerns: dict[int, list[str]] = {}
    for check in result.checks:
        for index in notebook.get("concerns", {}).get(check.check_id, []):
            concerns.setdefault(index, []).append(views[check.check_id].title)
    problems, figures = [], []
    for cell in notebook.get("cells", []):
        where = f"under \u201c{cell['heading']}\u201d, " if cell.get("heading") else ""
        if cell["status"] in _CELL_LABELS:
            problems.append({"index": cell["index"], "label": _CELL_LABELS[cell["status"]], "error": cell.get("error", ""),
                             "where": f"{where}starting with: {cell.get('first_line', '')}"})
        hrefs = _cell_figure_hrefs(result, cell)
        if hrefs:
            figures.append({"index": cell["index"], "heading": cell.get("heading", ""), "hrefs": hrefs,
                            "concerns": concerns.get(cell["index"], [])})
    names = notebook.get("names", {})
    who = " · ".join(f"{key}: {value}" for key, value in sorted(names.items()) if value)
    return {"problem_cells": problems, "figure_cells": figures, "names": who}


def _sections(
    result: SubmissionResult, views: dict[str, CheckView], section_titles: Mapping[str, str]
) -> list[SectionView]:
    order: list[str] = []
    for check in result.checks:
        if check.section not in order:
            order.append(check.section)
    sections = []
    for section in order:
        checks = [c for c in result.checks if c.section == section]
        title = f"Section {section}" + (f": {section_titles[section]}" if section in section_titles else "")
        sections.append(
            SectionView(
                title=title,
                score=text.fmt_points(sum(c.score for c in checks if c.status != "pending")),
                max_score=text.fmt_points(sum(c.max_score for c in checks)),
                checks=tuple(views[c.check_id] for c in checks),
            )
        )
    return sections


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        # only the HTML template is escaped by Jinja; Markdown escaping is done by the md_* filters
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=text.md_text,
        md_cell=text.md_cell,
        md_code=text.md_inline_code,
        md_block=text.md_code_block,
        html=text.html_text,
    )
    return env


def _write_figures(figure_dir: Path, figures: dict[str, bytes]) -> None:
    """Write this report's PNGs and delete PNGs left over from an earlier, different report."""
    for name, data in sorted(figures.items()):
        write_atomic(figure_dir / name, data)
    if figure_dir.is_dir():
        for stale in sorted(figure_dir.glob("*.png")):
            if stale.name not in figures:
                stale.unlink()
        if not any(figure_dir.iterdir()):
            figure_dir.rmdir()
