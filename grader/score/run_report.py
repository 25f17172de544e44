"""Turn the sandbox's facts about a run into a RunReport a student can read."""
from __future__ import annotations

import signal

from grader.probe.channel import Observations
from grader.sandbox.task import SandboxOutcome
from grader.score.result import RunReport
from grader.score.rubric import Rubric

ENTRY_FAILED = 70  # the grader's code inside the sandbox raised: the submission broke the interpreter


def _doing(observations: Observations, rubric: Rubric) -> str:
    step = observations.unfinished_step
    if step == "load":
        return f"running {rubric.main_file} as a script (this is where your training runs)"
    if step:
        return f"running the probe step '{step}'"
    if not observations.started:
        return f"starting {rubric.main_file}"
    return "finishing the checks"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def describe_run(outcome: SandboxOutcome, observations: Observations, rubric: Rubric) -> RunReport:
    """Status and a one-paragraph explanation of how the run ended."""
    status, message = _classify(outcome, observations, rubric)
    return RunReport(
        status=status,
        message=message,
        exit_code=outcome.exit_code,
        signal=outcome.signal,
        wall_s=round(outcome.wall_s, 3),
        cpu_s=round(outcome.cpu_s, 3),
        max_rss_mb=round(outcome.max_rss_mb, 1),
        last_step=observations.unfinished_step,
        stdout_tail=outcome.output,
        output_truncated=outcome.output_truncated,
    )


def _classify(outcome: SandboxOutcome, observations: Observations, rubric: Rubric):
    limits = rubric.limits
    doing = _doing(observations, rubric)
    if outcome.harness_error:
        return "harness_error", f"The grader could not run this submission (not your fault): {outcome.harness_error}"
    if outcome.timed_out:
        return "timeout", f"Time limit of {limits.wall_seconds:g} s exceeded while {doing}."
    if outcome.signal == signal.SIGXCPU:
        return "timeout", f"CPU time limit of {limits.effective_cpu_seconds:g} s exceeded while {doing}."
    if outcome.signal == signal.SIGKILL:
        return "memory", (f"The process was killed while {doing}; this usually means it used more than the "
                          f"{limits.memory_mb} MiB memory limit.")
    if outcome.signal:
        name = _signal_name(outcome.signal)
        hint = " (a crash inside C code, for example through ctypes)" if outcome.signal == signal.SIGSEGV else ""
        return "crashed", f"The Python process running your code crashed with {name}{hint} while {doing}."
    if outcome.exit_code == ENTRY_FAILED:
        return "crashed", (f"Grading could not continue inside your process while {doing}: the submission changed "
                           "Python or library internals that the grader relies on.")
    if observations.unfinished_step or outcome.exit_code not in (0, None) or not observations.started:
        return "crashed", (f"Your code ended the Python process (exit status {outcome.exit_code}) while {doing}, "
                           "before grading finished. Do not call os._exit() or kill the process from your script.")
    return _load_outcome(observations, rubric)


def _load_outcome(observations: Observations, rubric: Rubric):
    load = observations.items.get("load.error")
    if load is None or load.error is None:
        return "ok", ""
    error = load.error
    if error.timeout:
        return "timeout", (f"{error.message} The checks below used the classes defined by then; "
                           "training that does not finish in time leaves no trained model.")
    if error.type == "SyntaxError":
        return "ok", f"{rubric.main_file} could not be run: {error.describe()}. Nothing in it could be graded."
    if error.type == "MemoryError":
        return "memory", (f"Running {rubric.main_file} ran out of memory (limit {rubric.limits.memory_mb} MiB): "
                          f"{error.describe()}. The checks below used what was defined before that.")
    return "ok", f"Running {rubric.main_file} raised {error.describe()}. The checks below used what was defined before that."
