"""A small graded notebook class (two correct hand-ins and a hostile one), the workbench serving it, a browser."""
from __future__ import annotations

import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.assignments import grader_home

FILES = Path(__file__).parent / "files"
ASSIGNMENT = "dl_assignment1"
STUDENTS = ("ada_correct_negative_lr", "jon_correct_no_outputs")
HOSTILE = "mal_hostile_notebook"
CHROMIUM = Path("/usr/bin/chromium")
#: how long a browser assertion waits for its state before it fails
STATE_TIMEOUT_MS = 60_000
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@dataclass(frozen=True)
class Served:
    url: str
    token: str
    out: Path

    def page_url(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def graded_notebooks(tmp_path_factory) -> Path:
    """Grade the class once per test run; returns the output folder."""
    from grader.run import grade_each

    work = tmp_path_factory.mktemp("web_class")
    folder = work / "class"
    folder.mkdir()
    for student in STUDENTS:
        shutil.copyfile(grader_home() / "submissions" / ASSIGNMENT / f"{student}.ipynb", folder / f"{student}.ipynb")
    shutil.copyfile(FILES / "class" / f"{HOSTILE}.ipynb", folder / f"{HOSTILE}.ipynb")
    grade_each(folder, ASSIGNMENT, work / "out", jobs=2)
    return work / "out"


@pytest.fixture(scope="session")
def served(graded_notebooks: Path) -> Iterator[Served]:
    """The workbench on 127.0.0.1 in a thread of this process, stopped after the test run."""
    import uvicorn

    from grader.web.app import create_app
    from grader.web.serve import bind

    token = secrets.token_urlsafe(24)
    sock = bind(0)
    server = uvicorn.Server(uvicorn.Config(create_app(graded_notebooks, token, "ta_browser"), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:  # a state, not a duration: the deadline only bounds a broken start
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the workbench did not start")
        time.sleep(0.05)
    yield Served(f"http://127.0.0.1:{sock.getsockname()[1]}", token, graded_notebooks)
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium through Playwright. Skipped only outside CI when chromium is absent."""
    if not CHROMIUM.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium before the tests")
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # assertions wait for a state; the bound only ends a broken page (a save re-renders reports, and on two busy
    # cores that takes longer than Playwright's default of 5 s)
    expect.set_options(timeout=STATE_TIMEOUT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, served: Served):
    """A fresh browser context that has opened the workbench with its token (so it holds the cookie)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(STATE_TIMEOUT_MS)
    response = page.goto(served.page_url(f"/?token={served.token}"))
    assert response is not None and response.status == 200
    yield page
    context.close()
