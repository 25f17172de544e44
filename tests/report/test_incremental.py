"""Feedback reports are rendered once per changed result: as results come in, never again at the end."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import grader.report.incremental
from grader.run import grade

CLASS = Path(__file__).resolve().parents[1] / "samples" / "bench_layers" / "class"


@pytest.mark.slow
def test_each_report_is_rendered_once_while_the_class_is_graded(tmp_path: Path, monkeypatch) -> None:
    rendered: list[str] = []
    real = grader.report.incremental.write_feedback

    def counting(result, *args, **kwargs):
        rendered.append(result.student_id)
        return real(result, *args, **kwargs)

    monkeypatch.setattr(grader.report.incremental, "write_feedback", counting)
    shutil.copytree(CLASS, tmp_path / "class")
    book = grade(tmp_path / "class", "bench_layers", tmp_path / "out", jobs=2, use_cache=False)
    students = sorted(book["student_id"])
    assert sorted(rendered) == students
    assert sorted(p.stem for p in (tmp_path / "out" / "bench_layers" / "feedback").glob("*.md")) == students
    # with TA scores to merge, the reports are rendered at the end instead, still once each
    (tmp_path / "out" / "bench_layers" / "manual_scores.csv").write_text("student_id,item_id,points\n")
    rendered.clear()
    grade(tmp_path / "class", "bench_layers", tmp_path / "out", jobs=2, use_cache=False)
    assert sorted(rendered) == students
