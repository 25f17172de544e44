"""Markdown/HTML escaping of messages and captured output."""
from __future__ import annotations

from grader.report.text import clean_output, fmt_points, html_text, md_cell, md_code_block, md_inline_code, md_text


def test_code_spans_survive_and_prose_is_escaped() -> None:
    assert md_text("`NPLinear.backward`: 2 * x <b>") == "`NPLinear.backward`: 2 \\* x &lt;b&gt;"
    assert str(html_text("`x < 0` and <b>")) == "<code>x &lt; 0</code> and &lt;b&gt;"


def test_words_with_underscores_stay_readable() -> None:
    assert md_text("W_grad and b_grad") == "W_grad and b_grad"
    assert md_text("_emph_") == "\\_emph\\_"


def test_table_cells_are_one_line_with_pipes_escaped() -> None:
    assert md_cell("a | b\n`x|y`") == "a \\| b `x\\|y`"


def test_code_fences_cannot_be_closed_by_content() -> None:
    block = md_code_block("```\nescape\n")
    assert block.startswith("````text\n") and block.endswith("\n````")
    assert md_inline_code("a`b") == "``a`b``"


def test_clean_output_drops_ansi_and_carriage_returns() -> None:
    assert clean_output("\x1b[32mok\x1b[0m\r\nbar 1\rbar 2\x07\n") == "ok\nbar 1\nbar 2\n"


def test_fmt_points() -> None:
    assert [fmt_points(v) for v in (2.0, 1.5, 2 / 3, 0.0, -0.0)] == ["2", "1.5", "0.67", "0", "0"]
