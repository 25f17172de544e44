"""A notebook's answer is read where its question stands: a later redefinition neither rescues nor spoils it."""
from __future__ import annotations

import pytest

from grader.probe.channel import StudentError
from grader.probe.notebook import CellOutcome, NameAtQuestion, NotebookResult


def first(y, y_hat):
    return "1.3e version"


def fixed(y, y_hat):
    return "1.3g version"


def notebook(first_cell_ok: bool) -> NotebookResult:
    cells = [
        CellOutcome(29, status="ok" if first_cell_ok else "error", heading="1.3e (1 point)", first_line="def bce_loss(y, y_hat):",
                    error=None if first_cell_ok else StudentError("NameError", "name 'undefined' is not defined")),
        CellOutcome(30, status="ok", heading="1.3e (1 point)"),
        CellOutcome(34, status="ok", heading="1.3g (1 point)", first_line="def bce_loss(y, y_hat):"),
    ]
    versions = {"bce_loss": ([(29, first)] if first_cell_ok else []) + [(34, fixed)]}
    return NotebookResult(namespace={"bce_loss": fixed}, cells=cells, versions=versions)


def test_each_question_sees_its_own_definition():
    run = notebook(first_cell_ok=True)
    assert run.as_of_question("bce_loss", "1.3e") is first
    assert run.as_of_question("bce_loss", "1.3g") is fixed


def test_a_later_definition_does_not_rescue_an_earlier_question():
    run = notebook(first_cell_ok=False)
    with pytest.raises(NameAtQuestion, match=r"bce_loss did not exist after the cells of 1\.3e; cell 29 of 1\.3e "
                                              r"\('def bce_loss\(y, y_hat\):'\) raised NameError"):
        run.as_of_question("bce_loss", "1.3e")
    assert run.as_of_question("bce_loss", "1.3g") is fixed


def test_a_notebook_without_the_heading_is_left_to_the_caller():
    with pytest.raises(KeyError):
        notebook(first_cell_ok=True).as_of_question("bce_loss", "2.1a")
