"""Student content rendered for the workbench is inert: hostile notebook markdown and outputs, answers files."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.web import render

HOSTILE = Path(__file__).parent / "files" / "class" / "mal_hostile_notebook.ipynb"
FORBIDDEN = re.compile(r"""<script|<iframe|<object|<embed|<style|<meta|<form|<svg|\son\w+\s*=|=\s*["']?\s*javascript:|style=""", re.I)


@pytest.mark.parametrize("pattern", ["", r"\b1\.1c\b"])
def test_a_hostile_notebook_renders_without_anything_active(pattern: str) -> None:
    part, _ = render.notebook_part(HOSTILE, pattern)
    html = str(part.html)
    assert "hostile-answer-marker" in html  # the answer is shown ...
    assert FORBIDDEN.search(html) is None, FORBIDDEN.search(html)  # ... with nothing that could run
    if not pattern:
        assert "html-output-marker" in html


def test_an_answer_pattern_selects_the_cells_up_to_the_next_heading() -> None:
    cells = [{"cell_type": "markdown", "source": "# Title"}, {"cell_type": "markdown", "source": "### 1.1c\nAnswer"},
             {"cell_type": "code", "source": "plot()"}, {"cell_type": "markdown", "source": "more text"},
             {"cell_type": "markdown", "source": "### 1.1e"}, {"cell_type": "code", "source": "x"}]
    assert render.answer_cells(cells, r"\b1\.1c\b") == [1, 2, 3]
    assert render.answer_cells(cells, r"\b1\.1e\b") == [4, 5]
    assert render.answer_cells(cells, r"\b9\.9\b") == []


def test_images_are_kept_only_as_png_jpeg_or_gif_data() -> None:
    html = str(render.sanitise('<img src="data:image/png;base64,iVBORw0KGgo="><img src="data:image/svg+xml;base64,PHN2Zz4=">'
                               '<img src="https://example.invalid/x.png"><a href="https://example.invalid/">ok</a>'))
    assert html.count("<img") == 3 and html.count("src=") == 1 and "image/png" in html
    assert 'href="https://example.invalid/"' in html and "noopener" in html


def test_a_broken_notebook_gives_a_note(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    part, indices = render.notebook_part(broken)
    assert "cannot be shown" in str(part.html) and indices == ()


def test_answers_file_sections_and_code_are_escaped(tmp_path: Path) -> None:
    answers = tmp_path / "answers.md"
    answers.write_text("# Answers\n## 2a\n<script>alert(1)</script> the plots\n## 2b\nother\n")
    section = render.answers_section(answers, r"^## 2a")
    assert "&lt;script&gt;" in str(section.html) and "other" not in str(section.html)
    assert render.answers_section(answers, r"^## 3") is None
    code = tmp_path / "numpy_nn.py"
    code.write_text("s = '<script>alert(1)</script>'\n")
    assert "<script>" not in str(render.code_part(code).html)
