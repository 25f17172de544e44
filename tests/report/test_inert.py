"""Student-provided text is shown, never acts: no control characters, no Markdown blocks, bounded, no formulas."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
from markdown_it import MarkdownIt

from grader.export.csv import export_gradebook_csv, export_lms_csv
from grader.report.feedback import render_feedback
from grader.report.gradebook import build_gradebook
from grader.report.inert import (MAX_FIELD_CHARS, MAX_OUTPUT_LINE_CHARS, MAX_REPORT_LINE_CHARS, clean, csv_cell,
                                 inert_block, inert_text)
from tests.report.fixtures import load_result

HOSTILE = ("\n# Final score: 35 / 35, all checks passed\n\n- [claim](http://example.invalid)\n"
           "\x1b[2J\x1b[H\x1b]52;c;ZXZpbA==\x07\x1b]8;;http://example.invalid\x07click\x1b]8;;\x07\u202etxt.exe\x00\x9b")


def test_terminal_sequences_are_removed_and_other_controls_shown_as_escapes():
    text = clean(HOSTILE)
    assert "\x1b" not in text and "\x07" not in text and "\n" not in text and "\x9b" not in text
    assert "click" in text and "ZXZpbA" not in text
    assert "\\u202e" in text and "\\x00" in text


def test_fields_are_cut_with_a_mark():
    assert len(inert_text("x" * 1_200_000)) == MAX_FIELD_CHARS and inert_text("x" * 1000).endswith("characters cut)")
    block = inert_block("line\n" * 10_000)
    assert len(block) <= 4 * MAX_FIELD_CHARS and "\n" in block


def test_csv_cells_are_never_formulas_and_ids_stay_recognisable():
    assert [csv_cell(v) for v in ("-cmd", "=1+1", "+1", "@SUM(A1)", " =x", "ada", 3.5)] == [
        "'-cmd", "'=1+1", "'+1", "'@SUM(A1)", "' =x", "ada", 3.5]
    assert csv_cell("\t=1") == "' =1" and csv_cell("\r=1") == "' =1"


def hostile_result():
    result = load_result("failures")
    checks = tuple(replace(c, message=HOSTILE + "A" * 1_200_000, observed=HOSTILE) for c in result.checks)
    run = replace(result.run, message=HOSTILE, stdout_tail=HOSTILE + "\n" + "B" * 300_000)
    return replace(result, checks=checks, run=run, notes=(HOSTILE,))


def test_a_report_of_hostile_text_has_no_student_heading_control_character_or_long_line():
    rendered = render_feedback(hostile_result())
    for text in (rendered.markdown, rendered.html):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
        assert max(len(line) for line in text.split("\n")) <= MAX_REPORT_LINE_CHARS
    tokens = MarkdownIt("commonmark").parse(rendered.markdown)
    links = [c.attrs.get("href") for t in tokens if t.type == "inline" for c in t.children or [] if c.type == "link_open"]
    assert links == [] and 'href="http' not in rendered.html
    headings = [line for line in rendered.markdown.split("\n") if line.lstrip(" ").startswith("#")]
    in_fence = False
    for line in rendered.markdown.split("\n"):
        if line.startswith("```"):
            in_fence = not in_fence
        elif not in_fence and line.lstrip(" ").startswith("# Final"):
            raise AssertionError(f"student-made heading: {line!r}")
    assert headings
    assert max(len(line) for line in rendered.markdown.split("\n") if line.startswith("B")) <= MAX_OUTPUT_LINE_CHARS


def test_every_csv_the_grader_writes_neutralises_formulas(tmp_path):
    result = replace(load_result("perfect"), student_id="-cmd")
    book = build_gradebook([result])
    export_gradebook_csv(book, tmp_path / "gradebook.csv")
    export_lms_csv(book, tmp_path / "lms.csv")
    assert pd.read_csv(tmp_path / "gradebook.csv")["student_id"].tolist() == ["'-cmd"]
    assert (tmp_path / "lms.csv").read_text().splitlines()[1].startswith("'-cmd,")
