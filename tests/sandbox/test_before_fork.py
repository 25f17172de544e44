"""A task's `before_fork` hook runs in the warm parent, before the fork, so every child inherits its work."""
from __future__ import annotations

import re
from dataclasses import replace

from grader.sandbox import SandboxPool


def _prepared_count(output: str) -> int:
    return int(re.search(r"forks prepared by the parent: (\d+)", output).group(1))


def test_the_child_inherits_what_the_parent_prepared_for_it(pool: SandboxPool, stage) -> None:
    task = replace(stage("report_preparations"), before_fork="tests.sandbox.entries:prepare_fork")
    first, second = pool.run(task), pool.run(replace(task, workdir=stage("report_preparations").workdir))
    assert first.harness_error == "" and second.harness_error == ""
    # each run was prepared in its own parent at least once, and nothing the child does reaches back
    assert _prepared_count(first.output) >= 1 and _prepared_count(second.output) >= 1


def test_a_failing_preparation_is_the_graders_error_not_the_students(pool: SandboxPool, stage) -> None:
    outcome = pool.run(replace(stage("hello"), before_fork="tests.sandbox.entries:refuse_to_prepare"))
    assert "cannot prepare the run: RuntimeError: the preparation failed" in outcome.harness_error
    assert "hello from the sandbox" not in outcome.output
