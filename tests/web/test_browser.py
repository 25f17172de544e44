"""The workbench in a real headless browser: token, grade by question, overrides, a hostile notebook."""
from __future__ import annotations

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.web.conftest import ASSIGNMENT, FILES, HOSTILE, STUDENTS

pytestmark = pytest.mark.slow


def test_without_the_token_nothing_is_shown(browser, served) -> None:
    context = browser.new_context()
    page = context.new_page()
    for path in ("/", f"/a/{ASSIGNMENT}/", f"/?token={served.token}x"):
        response = page.goto(served.page_url(path))
        assert response.status == 403
        assert ASSIGNMENT not in page.content()
    context.close()


def test_the_token_opens_the_workbench_and_leaves_the_address(page, served) -> None:
    assert "token" not in page.url
    page.click(f"text={ASSIGNMENT}")
    # the click starts a navigation: wait for the gradebook's rows, not for a moment
    expect(page.locator("#gradebook tbody tr")).to_have_count(3)


def gradebook_totals(page, served) -> dict[str, float]:
    page.goto(served.page_url(f"/a/{ASSIGNMENT}/"))
    rows = page.locator("#gradebook tbody tr")
    return {rows.nth(i).get_attribute("data-student"): float(rows.nth(i).locator("td.total").inner_text())
            for i in range(rows.count())}


def test_grading_one_item_for_two_students_changes_the_gradebook(page, served) -> None:
    before = gradebook_totals(page, served)
    page.goto(served.page_url(f"/a/{ASSIGNMENT}/q/q1.7a"))
    left = int(page.locator("#left").inner_text())
    first, second = (page.locator(f'section.answer[data-student="{s}"]') for s in STUDENTS)
    first.locator("textarea.comment").fill("Symmetry explained, but not why it persists in training.")
    first.locator("input.points").fill("1")
    first.locator("input.points").press("Enter")  # saves, then moves on to the next student
    expect(page.locator("#left")).to_have_text(str(left - 1))
    second.locator("input.points").fill("1.5")
    second.locator("input.points").press("Enter")
    expect(page.locator("#left")).to_have_text(str(left - 2))
    expect(first.locator(".saved")).to_have_text("saved")
    after = gradebook_totals(page, served)
    assert after[STUDENTS[0]] == pytest.approx(before[STUDENTS[0]] + 1)
    assert after[STUDENTS[1]] == pytest.approx(before[STUDENTS[1]] + 1.5)
    csv = pd.read_csv(served.out / ASSIGNMENT / "gradebook.csv").set_index("student_id")
    assert csv.loc[STUDENTS[0], "q1.7a"] == 1.0
    assert "not why it persists in training." in (served.out / ASSIGNMENT / "feedback" / f"{STUDENTS[0]}.md").read_text()


def test_saves_reach_the_server_one_at_a_time_in_the_order_they_were_made(page, served) -> None:
    """A comment saved on blur and the score saved by Enter must not overtake each other: the server applies
    whichever arrives last, so the comment's save (still without points) could undo the score."""
    page.add_init_script(path=str(FILES / "hold_first_save.js"))
    page.goto(served.page_url(f"/a/{ASSIGNMENT}/q/q1.7c"))
    left = int(page.locator("#left").inner_text())
    answer = page.locator(f'section.answer[data-student="{STUDENTS[0]}"]')
    answer.locator("textarea.comment").fill("Dropout scaled at test time instead of training time.")
    answer.locator("input.points").fill("1")  # the comment's blur saves it, without points; that save is held
    page.wait_for_function("window.saveGate.sent >= 1")
    answer.locator("input.points").press("Enter")
    page.evaluate("window.saveGate.open()")
    expect(page.locator("#left")).to_have_text(str(left - 1))
    expect(answer.locator(".saved")).to_have_text("saved")
    assert page.evaluate("window.saveGate.maxInFlight") == 1
    csv = pd.read_csv(served.out / ASSIGNMENT / "gradebook.csv").set_index("student_id")
    assert csv.loc[STUDENTS[0], "q1.7c"] == 1.0


def test_keyboard_jumps_to_the_next_ungraded_student(page, served) -> None:
    page.goto(served.page_url(f"/a/{ASSIGNMENT}/q/q1.7b"))
    page.locator(f'section.answer[data-student="{STUDENTS[0]}"] input.points').fill("1")
    page.locator(f'section.answer[data-student="{STUDENTS[0]}"] input.points').press("Enter")
    page.wait_for_selector(f'section.answer.graded[data-student="{STUDENTS[0]}"]')
    current = page.locator("section.answer.current")
    expect(current).to_have_attribute("data-student", STUDENTS[1])  # Enter moved on
    page.keyboard.press("Alt+ArrowUp")
    expect(current).to_have_attribute("data-student", STUDENTS[0])
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    expect(current).to_have_attribute("data-student", STUDENTS[1])
    page.keyboard.press("Alt+ArrowUp")
    page.keyboard.press("Alt+n")  # the next ungraded after the first student
    expect(current).to_have_attribute("data-student", STUDENTS[1])
    assert page.evaluate("document.activeElement.classList.contains('points')")


def test_an_override_shows_in_the_review_page_and_the_report(page, served) -> None:
    student = STUDENTS[1]
    page.goto(served.page_url(f"/a/{ASSIGNMENT}/s/{student}"))
    row = page.locator('tr.check[data-check="gd_plain"]')
    row.locator("input.points").fill("0.5")
    row.locator("input.reason").fill("Histories copied from a classmate's plot; half credit.")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    row = page.locator('tr.check[data-check="gd_plain"]')
    assert row.locator("td.score").inner_text().startswith("0.5 /")
    assert "overridden by ta_browser" in row.inner_text()
    report = (served.out / ASSIGNMENT / "feedback" / f"{student}.md").read_text()
    assert "half credit" in report and "from 1 to 0.5" in report
    assert "half credit" in page.locator("table.history").inner_text()
    # the student's figures beside the reference's (kept from the reference's run in the same sandbox)
    assert page.locator("img[alt='student figure']").count() > 0
    assert page.locator("img[alt='reference figure']").count() > 0


@pytest.mark.parametrize("path", [f"/a/{ASSIGNMENT}/s/{HOSTILE}", f"/a/{ASSIGNMENT}/q/q1.1c"])
def test_a_hostile_notebook_runs_nothing(page, served, path) -> None:
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text))
    page.on("dialog", lambda dialog: (violations.append("dialog"), dialog.dismiss()))
    page.goto(served.page_url(path))
    page.wait_for_load_state("networkidle")
    assert "hostile-answer-marker" in page.content()  # the payloads were on the page ...
    assert page.evaluate("window.__pwned") is None  # ... and none of them ran
    assert page.title() != "PWNED"
    for link in page.locator("a[href^='javascript']").all():
        pytest.fail(f"a javascript: link survived: {link}")
    assert "dialog" not in violations


def test_the_hostile_fixture_would_run_if_it_were_not_made_inert(browser) -> None:
    """Control: the same notebook through nbconvert alone, on a page without our CSP, does run its payloads."""
    from nbconvert import HTMLExporter

    from tests.web.conftest import FILES

    body, _ = HTMLExporter(template_name="basic").from_filename(str(FILES / "class" / f"{HOSTILE}.ipynb"))
    context = browser.new_context()
    page = context.new_page()
    page.set_content(f"<html><body>{body}</body></html>")
    page.wait_for_load_state("load")
    assert page.evaluate("window.__pwned") is not None
    context.close()


def test_regrading_one_student_from_the_review_page_reports_progress(page, served) -> None:
    from grader.store.results import ResultStore

    student = STUDENTS[0]
    with ResultStore(served.out / ASSIGNMENT / "results.sqlite") as store:
        before = store.finished_at(student, ASSIGNMENT)
    page.goto(served.page_url(f"/a/{ASSIGNMENT}/s/{student}"))
    page.click("button.regrade")
    # the other two are unchanged and stay cached; the progress counts the whole class
    expect(page.locator("#regrade-progress")).to_have_text("regraded 3 / 3", timeout=300_000)
    with ResultStore(served.out / ASSIGNMENT / "results.sqlite") as store:
        assert store.finished_at(student, ASSIGNMENT) is not None
        assert len(store.results(ASSIGNMENT)) == 3
    assert before is not None


def test_regrading_the_class_keeps_the_marks(page, served) -> None:
    before = gradebook_totals(page, served)
    page.click("button.regrade")
    expect(page.locator("#regrade-progress")).to_have_text("regraded 3 / 3", timeout=300_000)
    page.wait_for_load_state("load")
    assert gradebook_totals(page, served) == before  # same hand-ins, same rubric, marks kept
