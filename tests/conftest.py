"""Test-session wiring shared by every folder: which tests must share one pytest-xdist worker.

`make test` runs the suite on two workers (`-n 2 --dist loadgroup`). A session fixture is built once
per worker, so the tests that read one graded sample class go to one worker and the class is graded
once. The hostile tests are marked `alone`: they look for processes and files left behind by the tests
around them, and their cases are meant to end at tight time limits (15-25 s) that a second worker's
sandboxes on the same two cores would stretch, so `make test` runs them afterwards, by themselves.
"""
from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent
#: hostile tests that neither look for leftovers of other tests nor depend on tight time limits: bad
#: instructor input ends in one line from the command line before any hand-in runs
HOSTILE_BUT_NOT_ALONE = (HERE / "hostile" / "test_instructor_input.py",)
#: session fixtures that grade a whole class (tests/assignments/conftest.py, tests/hostile/conftest.py)
SHARED_GRADING = ("_graded", "corpus_run")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if (HERE / "hostile") in Path(item.fspath).parents and Path(item.fspath) not in HOSTILE_BUT_NOT_ALONE:
            item.add_marker(pytest.mark.alone)
            item.add_marker(pytest.mark.xdist_group("hostile"))
            continue
        group = _group(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


def _group(item: pytest.Item) -> str:
    shared = sorted(name for name in getattr(item, "fixturenames", ()) if name.endswith(SHARED_GRADING))
    return shared[0] if shared else ""
