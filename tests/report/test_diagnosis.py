"""The diagnosis in reports: beside the hint of the checks it explains, withheld with hidden details, one
gradebook column, counted across the class in the terminal summary; it never changes a score."""
from __future__ import annotations

import io
from dataclasses import replace

from rich.console import Console

from grader.report.feedback import render_feedback
from grader.report.gradebook import build_gradebook
from grader.report.summary import diagnosis_counts, print_summary
from tests.report.fixtures import all_results, load_result

BGRAD = {"mistake": "bgrad_mean", "description": "b_grad is the batch mean, not the sum",
         "checks": ["linear_backward_numerical"], "score": 0.8}
TARGET = {"mistake": "too_few_epochs", "description": "training stops after 50 epochs",
          "checks": ["model_target_loss"], "score": 0.8}


def diagnosed(*entries: dict):
    bob = load_result("failures")
    return replace(bob, extra={**bob.extra, "diagnosis": list(entries)})



def test_the_known_mistake_is_named_beside_the_hint_of_the_checks_it_explains():
    bob = diagnosed(BGRAD)
    rendered = render_feedback(bob)
    assert rendered.markdown.count("**Looks like a known mistake:**") == 1
    assert "**Looks like a known mistake:** b_grad is the batch mean, not the sum." in rendered.markdown
    hint_at = rendered.markdown.index("**Looks like a known mistake:**")
    assert rendered.markdown.rfind("**Hint:**", 0, hint_at) > rendered.markdown.rfind("### ", 0, hint_at)
    assert "<dt>Looks like a known mistake</dt>" in rendered.html and "b_grad is the batch mean, not the sum" in rendered.html
    assert bob.score == load_result("failures").score


def test_equal_matches_are_both_named():
    twin = {**BGRAD, "mistake": "bgrad_over_rows", "description": "b_grad sums over the wrong axis"}
    text = render_feedback(diagnosed(BGRAD, twin)).markdown
    assert "b_grad is the batch mean, not the sum; or b_grad sums over the wrong axis (these behave the same here)." in text


def test_a_hidden_check_withholds_its_diagnosis_too():
    text = render_feedback(diagnosed(TARGET), public_only=True).markdown
    assert "training stops after 50 epochs" not in text
    assert "training stops after 50 epochs" in render_feedback(diagnosed(TARGET)).markdown


def test_malformed_diagnosis_data_is_ignored():
    bob = load_result("failures")
    broken = replace(bob, extra={**bob.extra, "diagnosis": [{"no": "mistake"}, "text", 3]})
    assert "known mistake" not in render_feedback(broken).markdown
    assert "known mistake" not in render_feedback(replace(bob, extra={"diagnosis": "x"})).markdown


def test_gradebook_column_and_class_counts():
    results = [r if r.student_id != "bob" else diagnosed(BGRAD, TARGET) for r in all_results()]
    gradebook = build_gradebook(results)
    by_student = dict(zip(gradebook["student_id"], gradebook["diagnosis"]))
    assert by_student == {"alice": "", "bob": "bgrad_mean; too_few_epochs", "carol": "", "dave": ""}
    assert diagnosis_counts(gradebook) == {"bgrad_mean": 1, "too_few_epochs": 1}
    console = Console(file=io.StringIO(), width=120)
    print_summary(gradebook, console)
    printed = console.file.getvalue()
    assert "Known mistakes the class made" in printed and "bgrad_mean" in printed and "1/4" in printed
