"""Turn the sandbox's facts about a run into a RunReport a student can read."""
from __future__ import annotations

import signal

from grader.observations import Observations
from grader.sandbox.child import EXIT_ENTRY_RAISED
from grader.sandbox.task import SandboxOutcome
from grader.results.submission import RunReport
from grader.rubric import Rubric


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
    if status == "ok" and observations.restored:
        message = " ".join(filter(None, [message, _restored_note(observations.restored)]))
    if outcome.memory_killed and status != "memory":
        # e.g. a forked worker was killed while the main process went on: say so, or results look arbitrary
        message = " ".join(filter(None, [message, (
            f"A process of your run was stopped for using more than the {rubric.limits.memory_mb} MiB memory "
            "limit (the limit applies to all processes of the run together).")]))
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
    if observations.tampered:
        # whatever else happened, nothing the run recorded can be scored (grading.py scores it as empty)
        return "crashed", (f"Your code changed the grader's own code or records ({observations.tampered}). "
                           "Nothing recorded during this run can be trusted, so no automatic check was scored.")
    if outcome.timed_out:
        return "timeout", f"Time limit of {limits.wall_seconds:g} s exceeded while {doing}."
    if outcome.signal == signal.SIGXCPU:
        return "timeout", f"CPU time limit of {limits.effective_cpu_seconds:g} s exceeded while {doing}."
    if outcome.signal == signal.SIGKILL and _likely_memory(outcome, limits.memory_mb):
        return "memory", (f"The process was killed while {doing}; this usually means it used more than the "
                          f"{limits.memory_mb} MiB memory limit.")
    if outcome.supervisor_lost:
        # the zygote died mid-run without a harness error: killed from outside the run (an administrator, the
        # machine's OOM killer, or where isolation is degraded, another process of the grading user)
        return "crashed", (f"The grader process supervising your run was stopped ({_signal_name(outcome.signal or 0)}) "
                           f"while {doing}. If your code used a lot of memory this may be why; otherwise it is "
                           "probably not your fault: ask for a regrade.")
    if outcome.signal == signal.SIGKILL:
        # not the memory limit and not our wall limit: the run's own code killed it (or the host ran out of memory)
        return "crashed", (f"The Python process running your code was killed by the signal SIGKILL while {doing}. "
                           "This happens when your code (or a process it started) kills it, or when the machine "
                           "runs out of memory; do not kill the process from your script.")
    if outcome.signal:
        name = _signal_name(outcome.signal)
        hint = " (a crash inside C code, for example through ctypes)" if outcome.signal == signal.SIGSEGV else ""
        return "crashed", f"The Python process running your code crashed with {name}{hint} while {doing}." + _fatal_error(outcome.output)
    # the grader's code inside the sandbox raised: the submission broke the interpreter
    if outcome.exit_code == EXIT_ENTRY_RAISED:
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
    if error.type == "OSError" and "File too large" in error.message:
        return "ok", (f"Running {rubric.main_file} stopped because it wrote more than the limit of "
                      f"{rubric.limits.file_size_mb} MB to one file or to its printed output ({error.describe()}). "
                      "The checks below used what was defined before that.")
    if error.type == "MemoryError":
        return "memory", (f"Running {rubric.main_file} ran out of memory (limit {rubric.limits.memory_mb} MiB): "
                          f"{error.describe()}. The checks below used what was defined before that.")
    return "ok", f"Running {rubric.main_file} raised {error.describe()}. The checks below used what was defined before that."


def _likely_memory(outcome: SandboxOutcome, memory_mb: int) -> bool:
    """A SIGKILL from the memory controller, or (where it cannot tell us) a process near the memory limit."""
    return outcome.memory_killed or outcome.max_rss_mb >= 0.9 * memory_mb


def _restored_note(names: tuple[str, ...]) -> str:
    """Tell the student that replacing library functions changed nothing (they were put back)."""
    names = tuple(sorted(names))
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    return (f"Your code replaced {shown}; the originals were put back before your classes were checked, "
            "so the checks used them.")


def _fatal_error(output: str) -> str:
    """The interpreter's own last words, when it aborted (deep recursion ends like this, not with RecursionError)."""
    for line in output.splitlines():
        if line.startswith("Fatal Python error:"):
            hint = (" This usually means recursion that never stops (or goes far deeper than Python allows)."
                    if "recover from" in line or "overflow" in line or "recursion" in line.lower() else "")
            return f" Python reported: {line[:300].strip()}.{hint}"
    return ""
