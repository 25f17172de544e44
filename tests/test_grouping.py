"""`make test` shares each graded sample class among the tests of one pytest-xdist worker (tests/conftest.py).

If the installed pytest and pytest-xdist stop honouring `--dist loadgroup`, nothing fails by itself: every
class is simply graded on both workers and the suite takes twice as long. This test makes that visible.
"""
from __future__ import annotations

import pytest


@pytest.mark.xdist_group("grouping_check")
def test_a_grouped_test_runs_in_its_group(request: pytest.FixtureRequest) -> None:
    worker = getattr(request.config, "workerinput", None)
    if worker is None or not getattr(request.config.option, "loadgroup", False):
        pytest.skip("only meaningful on a pytest-xdist worker under --dist loadgroup (as in `make test`)")
    assert request.node.nodeid.endswith("@grouping_check"), (
        "pytest-xdist did not tag this test with its group: the shared sample classes would be graded on every "
        "worker (see the pytest pin in constraints.txt)")
