"""The data of the two grading pages: every student's answer to one item, and one student's whole work."""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from grader.results.check import CheckResult
from grader.discover import Submission
from grader.run import REFERENCE_FIGURES
from grader.results.submission import SubmissionResult
from grader.web import render
from grader.web.workbench import ManualItem, NotFound, Workbench

ANSWER_SUFFIXES = (".md", ".txt")


@dataclass(frozen=True)
class AnswerView:
    """One student's answer to one manual item, with the item's current mark."""

    student_id: str
    graded: bool
    points: str
    comment: str
    total: float
    max_total: float
    parts: tuple[render.RenderedPart, ...]
    figures: tuple[str, ...]
    code: tuple[render.RenderedPart, ...] = ()


def question_view(bench: Workbench, assignment: str, item_id: str) -> dict:
    items = bench.manual_items(assignment)
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise NotFound(f"no manual item {item_id!r} in {assignment}")
    answers = []
    submissions = bench.submissions(assignment)
    for result in bench.results(assignment):
        check = next((c for c in result.checks if c.check_id == item_id and c.is_manual), None)
        if check is not None:
            answers.append(_answer(assignment, result, check, item, submissions.get(result.student_id)))
    position = items.index(item)
    return {
        "item": item,
        "answers": answers,
        "left": sum(not a.graded for a in answers),
        "previous_item": items[position - 1] if position > 0 else None,
        "next_item": items[position + 1] if position + 1 < len(items) else None,
    }


def _answer(assignment: str, result: SubmissionResult, check: CheckResult, item: ManualItem,
            submission: Submission | None) -> AnswerView:
    parts: list[render.RenderedPart] = []
    code: list[render.RenderedPart] = []
    cells: tuple[int, ...] | None = None
    main = submission.main_file if submission else None
    if main is not None and main.suffix == ".ipynb":
        part, indices = render.notebook_part(main, item.answer)
        parts.append(part)
        cells = indices if item.answer else None
    elif main is not None and main.is_file():
        code.append(render.code_part(main))
    for path in submission.files if submission is not None else ():
        # an answers file next to the code or notebook (answers.md, report.txt): the item's section of it
        if path.suffix.lower() in ANSWER_SUFFIXES and path.is_file() and not path.is_symlink():
            section = render.answers_section(path, item.answer) if item.answer else render.text_part(path)
            if section is not None:
                parts.append(section)
    graded = check.status == "manual"
    return AnswerView(
        student_id=result.student_id,
        graded=graded,
        points=_plain(check.score) if graded else "",
        comment=check.message if graded else "",
        total=result.score,
        max_total=result.max_score,
        parts=tuple(parts),
        figures=tuple(figure_hrefs(assignment, result, cells)),
        code=tuple(code),
    )


def figure_hrefs(assignment: str, result: SubmissionResult, cells: tuple[int, ...] | None = None) -> list[str]:
    """Links to the figures the run drew; for a notebook and `cells` (0-based), only those cells' figures."""
    extra = result.extra if isinstance(result.extra, dict) else {}
    names = [n for n in extra.get("figures", []) if isinstance(n, str)]
    if cells is not None:
        notebook = extra.get("notebook") or {}
        wanted = {i + 1 for i in cells}  # the run numbers cells from 1
        names = [n for c in notebook.get("cells", []) if c.get("index") in wanted for n in c.get("figures", []) if n in names]
    base = f"/a/{quote(assignment)}/s/{quote(result.student_id, safe='')}/figures/"
    return [base + quote(name) for name in names]


@dataclass(frozen=True)
class CheckRow:
    check: CheckResult
    override: dict = field(default_factory=dict)


def student_view(bench: Workbench, assignment: str, student_id: str) -> dict:
    results = bench.results(assignment)
    ids = [r.student_id for r in results]
    if student_id not in ids:
        raise NotFound(f"no student {student_id!r} in {assignment}")
    result = results[ids.index(student_id)]
    position = ids.index(student_id)
    submission = bench.submissions(assignment).get(student_id)
    work: list[render.RenderedPart] = []
    if submission is not None:
        for path in submission.files:
            if not path.is_file() or path.is_symlink():
                continue
            if path.suffix == ".ipynb":
                work.append(render.notebook_part(path)[0])
            elif path.suffix == ".py":
                work.append(render.code_part(path))
            elif path.suffix.lower() in ANSWER_SUFFIXES:
                work.append(render.text_part(path))
    rubric = bench.rubric(assignment)
    history = bench.history(assignment, student_id)
    return {
        "r": result,
        "rows": [CheckRow(c, c.details.get("override", {}) if isinstance(c.details, dict) else {}) for c in result.checks],
        "work": work,
        "figures": figure_hrefs(assignment, result),
        "reference_figures": reference_figure_hrefs(bench, assignment) or (reference_figures(str(rubric.reference)) if rubric else ()),
        "history": history.to_dict("records"),
        "previous_student": ids[position - 1] if position > 0 else None,
        "next_student": ids[position + 1] if position + 1 < len(ids) else None,
        "handed_in": submission is not None,
    }


def reference_figure_hrefs(bench: Workbench, assignment: str) -> list[str]:
    """Links to the figures the reference drew in the grading run (kept next to the gradebook)."""
    folder = bench.outputs(assignment).root / REFERENCE_FIGURES
    names = sorted(p.name for p in folder.glob("figure_*.png")) if folder.is_dir() else []
    return [f"/a/{quote(assignment)}/reference-figures/{quote(name)}" for name in names]


@lru_cache(maxsize=16)
def reference_figures(reference: str) -> tuple[str, ...]:
    """The PNG outputs saved in a reference notebook, as data URLs (trusted content)."""
    path = Path(reference)
    if path.suffix != ".ipynb":
        return ()
    import nbformat

    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception:
        return ()
    figures = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if isinstance(png, str):
                base64.b64decode(png, validate=False)
                figures.append("data:image/png;base64," + png.replace("\n", ""))
    return tuple(figures)


def _plain(points: float) -> str:
    return f"{points:g}"
