"""Feedback reports: content for students, escaping, withheld hidden details, byte-identical reruns."""
from __future__ import annotations

import filecmp
from dataclasses import replace
from pathlib import Path

import pytest

from grader.report.feedback import WITHHELD, render_feedback, write_feedback
from tests.report.fixtures import all_results, load_result

TITLES = {"2a": "Backpropagation: NPLinear, NPMSELoss, NPReLU", "2b": "NPModel, training and plots"}


@pytest.fixture(scope="module")
def bob_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, Path]:
    out = tmp_path_factory.mktemp("feedback")
    md_path, html_path = write_feedback(load_result("failures"), out, section_titles=TITLES)
    return md_path.read_text(), html_path.read_text(), out


def test_files_are_written_next_to_each_other(bob_reports: tuple[str, str, Path]) -> None:
    out = bob_reports[2]
    assert sorted(p.name for p in out.iterdir()) == ["bob.html", "bob.md", "bob_files"]
    assert sorted(p.name for p in (out / "bob_files").iterdir()) == [
        "linear_backward_numerical-1.png",
        "linear_init_weight-1.png",
        "model_target_loss-1.png",
    ]
    for png in (out / "bob_files").iterdir():
        assert png.read_bytes().startswith(b"\x89PNG")


def test_header_and_section_tables(bob_reports: tuple[str, str, Path]) -> None:
    md, html, _ = bob_reports
    assert "# Feedback on numpy_nn" in md
    assert "**Score:** 3 / 16.5 (18.2%)" in md
    assert "## Section 2a: Backpropagation: NPLinear, NPMSELoss, NPReLU (1 / 6.5)" in md
    assert "| NPLinear.forward output shape | 1 / 1 | ✅ passed |" in md
    assert '<span class="badge fail">error</span>' in html
    assert '<span class="badge pass">passed</span>' in html


def test_failed_check_shows_expected_observed_message_and_hint(bob_reports: tuple[str, str, Path]) -> None:
    md, html, _ = bob_reports
    bob = load_result("failures")
    init = next(c for c in bob.checks if c.check_id == "linear_init_weight")
    for text in (init.expected, init.observed, init.hint):
        assert text in md.replace("\\", "")
        assert text in html
    assert "`NPLinear.__init__`: `W` does not look like" in md
    assert "<code>NPLinear.__init__</code>: <code>W</code> does not look like" in html
    # multi-line observations (a summarised tensor) keep their layout in a code block
    assert "```text\nW_grad[:3, :3], yours vs numerical:\n" in md
    assert "<pre>W_grad[:3, :3], yours vs numerical:\n" in html


def test_figures_are_linked_inline(bob_reports: tuple[str, str, Path]) -> None:
    md, html, _ = bob_reports
    assert "![Initial weights: yours vs torch.nn.Linear](bob_files/linear_init_weight-1.png)" in md
    assert '<img src="bob_files/linear_init_weight-1.png" alt="Initial weights: yours vs torch.nn.Linear">' in html


def test_passed_checks_and_instructor_details_are_not_explained(bob_reports: tuple[str, str, Path]) -> None:
    md, html, _ = bob_reports
    assert md.count("### ") == 5  # 4 lost automatic checks + the partially graded manual item
    assert "max_abs_diff" not in md and "max_abs_diff" not in html
    assert "ks_statistic" not in html


def test_notes_and_manual_comment(bob_reports: tuple[str, str, Path]) -> None:
    md, html, _ = bob_reports
    assert "## Notes" in md and "`if __name__ == '__main__':`" in md
    assert "The loss plot is not on a log scale." in html


def test_html_is_self_contained(bob_reports: tuple[str, str, Path]) -> None:
    html = bob_reports[1]
    assert "<style>" in html
    assert "<script" not in html.lower()
    assert "http://" not in html and "https://" not in html
    assert "<link" not in html


def test_student_output_is_escaped() -> None:
    rendered = render_feedback(load_result("timeout"))
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in rendered.html
    assert "<details>" in rendered.html and "Last part of the output" in rendered.html
    # in Markdown the output sits in a code fence longer than the ``` the program printed
    assert "````text\nepoch 1 loss 0.9 & falling\n<script>alert('owned')</script>\n```\n# not a heading\n" in rendered.markdown
    assert "\x1b" not in rendered.markdown and "\x1b" not in rendered.html


def test_run_summary_is_shown_when_the_run_failed() -> None:
    rendered = render_feedback(load_result("timeout"))
    assert "Time limit of 150 s exceeded while running numpy_nn.py as a script." in rendered.markdown
    assert "Your program ran out of time." in rendered.html
    assert "ran out of time" not in render_feedback(load_result("perfect")).html


def test_pending_manual_points_are_announced() -> None:
    rendered = render_feedback(load_result("pending_manual"))
    assert "12.5 / 16.5 (75.8%) · 4 more points awaiting manual grading" in rendered.markdown
    assert "| – / 4 | ⏳ awaiting grading |" in rendered.markdown
    assert "Where you lost points" not in rendered.markdown


def test_hidden_checks_are_marked_and_withheld_when_public_only(tmp_path: Path) -> None:
    bob = load_result("failures")
    hidden = next(c for c in bob.checks if c.visibility == "hidden")
    full = render_feedback(bob)
    assert "HIDDEN-SECRET" in full.markdown and "(hidden)" in full.html
    md_path, html_path = write_feedback(bob, tmp_path, public_only=True)
    for text in (md_path.read_text(), html_path.read_text()):
        assert "(hidden)" in text
        assert WITHHELD in text
        for secret in (hidden.message, hidden.observed, hidden.hint, "HIDDEN-SECRET"):
            assert secret not in text
    # its figure is withheld too; public checks keep theirs
    assert sorted(p.name for p in (tmp_path / "bob_files").iterdir()) == [
        "linear_backward_numerical-1.png",
        "linear_init_weight-1.png",
    ]


def test_two_renders_are_byte_identical(tmp_path: Path) -> None:
    for run in ("a", "b"):
        for result in all_results():
            write_feedback(result, tmp_path / run, section_titles=TITLES, generated_at="2026-11-23")
    comparison = filecmp.dircmp(tmp_path / "a", tmp_path / "b")
    assert comparison.left_list == comparison.right_list
    names = [p.relative_to(tmp_path / "a") for p in sorted((tmp_path / "a").rglob("*")) if p.is_file()]
    assert len(names) == 11  # 4 x (md + html) + 3 PNGs
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    png = (tmp_path / "a" / "bob_files" / "linear_init_weight-1.png").read_bytes()
    assert b"Software" not in png and b"matplotlib" not in png.lower()


def test_stale_figures_are_removed(tmp_path: Path) -> None:
    bob = load_result("failures")
    write_feedback(bob, tmp_path)
    write_feedback(replace(bob, checks=bob.checks[:1]), tmp_path)
    assert not (tmp_path / "bob_files").exists()


def test_broken_figure_data_does_not_stop_the_report() -> None:
    bob = load_result("failures")
    curve = bob.checks[4].figures[0]
    nan_series = replace(curve.series[0], y=(float("nan"), float("inf")) + curve.series[0].y[2:])
    broken = replace(bob.checks[4], figures=(replace(curve, series=(nan_series,)),))
    rendered = render_feedback(replace(bob, checks=bob.checks[:4] + (broken,)))
    assert rendered.figures["model_target_loss-1.png"].startswith(b"\x89PNG")


@pytest.mark.parametrize("student_id", ["../evil", "a/b", "", ".."])
def test_student_ids_that_are_not_file_names_are_refused(tmp_path: Path, student_id: str) -> None:
    with pytest.raises(ValueError, match="cannot be used as a file name"):
        write_feedback(replace(load_result("perfect"), student_id=student_id), tmp_path)


def test_notebook_cells_figures_and_names_are_shown() -> None:
    """A notebook's result: failing cells with anchors, links next to the checks they concern, figures by cell."""
    from dataclasses import replace as _replace

    from grader.report.feedback import render_feedback

    base = load_result("failures")
    lost = next(c for c in base.checks if c.lost > 0 and c.status != "pending")
    notebook = {
        "names": {"names": "Ada <b>Lovelace</b>", "group": "7"},
        "cells": [
            {"index": 3, "status": "ok", "error": "", "heading": "1.1", "first_line": "plt.plot(x)", "figures": ["figure_01.png"]},
            {"index": 5, "status": "error", "error": "NameError: name 'z' is not defined", "heading": "1.2",
             "first_line": "def f(x):", "figures": []},
            {"index": 9, "status": "timeout", "error": "stopped at the limit of 45 s per cell", "heading": "",
             "first_line": "while True:", "figures": []},
        ],
        "concerns": {lost.check_id: [3, 5]},
    }
    result = _replace(base, extra={"figures": ["figure_01.png"], "notebook": notebook})
    rendered = render_feedback(result)
    md, html = rendered.markdown, rendered.html
    assert "**In the notebook:** group: 7 · names: Ada &lt;b&gt;Lovelace&lt;/b&gt;" in md
    assert "<b>Lovelace</b>" not in html
    assert "### Cell 5" in md and "### Cell 9" in md and "did not finish in time" in md
    assert "[cell 5](#cell-5) raised an error" in md
    assert 'id="cell-5"' in html and 'href="#cell-5"' in html
    assert "Your figure from cell 3" in md and "## Figures your notebook drew" in md
    assert "Figures your script drew" not in md
