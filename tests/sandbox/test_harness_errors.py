"""When the sandbox machinery fails (never the student's code), the row and the run say "grader error"
with the machinery's own message; the reference set-up says so instead of blaming the reference."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.assignments import load_assignment
from grader.discover import discover
from grader.grading import GradingSetup, grade_submission
from grader.observations import Observations
from grader.errors import GradingError
from grader.run import Outputs, publish
from grader.reference_run import prepare_setup
from grader.sandbox.task import SandboxOutcome

#: two bundled samples (one correct, one with a mistake) make the small class these tests grade
SAMPLES = Path(__file__).resolve().parents[2] / "submissions" / "numpy_nn"
CLASS_MEMBERS = ("ada_correct_in_out_layout.py", "bob_bgrad_mean.py")
ERROR = "FileNotFoundError: [Errno 2] No such file or directory: '/work/tmp' (isolation.scrub_environment)"


class BrokenSandbox:
    """A pool whose machinery fails on every task, after the run printed something."""

    jobs = 1

    def run(self, task) -> SandboxOutcome:
        return SandboxOutcome(exit_code=None, signal=None, wall_s=0.0, cpu_s=0.0, max_rss_mb=0.0,
                              timed_out=False, output="partial output of the run", harness_error=ERROR)


def test_reference_setup_names_the_grader_error_and_the_output(scratch: Path) -> None:
    with pytest.raises(GradingError) as raised:
        prepare_setup(load_assignment("numpy_nn"), BrokenSandbox(), "key", (), scratch / "figures")
    message = str(raised.value)
    assert message.startswith("grader error")
    assert ERROR in message and "partial output of the run" in message
    assert "does not pass its own rubric" not in message


def test_row_says_grader_error_with_the_text(scratch: Path) -> None:
    rubric = load_assignment("numpy_nn")
    (scratch / "class").mkdir()
    for name in CLASS_MEMBERS:
        shutil.copyfile(SAMPLES / name, scratch / "class" / name)
    setup = GradingSetup(rubric, Observations(), {}, grading_key="key")
    results = [grade_submission(BrokenSandbox(), setup, s, rubric.seed)
               for s in discover(scratch / "class", rubric.main_file)]
    assert {r.status for r in results} == {"grader-error"}
    assert all(ERROR in r.run.message for r in results)
    gradebook = publish(results, Outputs(scratch / "out"), public_only=False)
    assert list(gradebook["status"]) == ["grader-error"] * len(results)
    assert gradebook["grader_error"].str.contains("No such file or directory").all()
