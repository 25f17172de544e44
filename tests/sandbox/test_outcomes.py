"""How a run ends is reported as facts: exit status, signal, output, timeouts."""
from __future__ import annotations

import signal

from grader.sandbox import SandboxPool


def test_normal_run_returns_exit_0_and_its_output(pool: SandboxPool, stage) -> None:
    outcome = pool.run(stage("hello"))
    assert outcome.harness_error == ""
    assert outcome.exit_code == 0 and outcome.signal is None and not outcome.timed_out
    assert "hello from the sandbox" in outcome.output
    assert outcome.wall_s > 0 and outcome.max_rss_mb > 0


def test_child_sees_only_the_scrubbed_environment_and_stdio(pool: SandboxPool, stage) -> None:
    task = stage("hello")
    outcome = pool.run(task)
    assert f"cwd {task.workdir}" in outcome.output
    env_line = next(line for line in outcome.output.splitlines() if line.startswith("env "))
    for name in ("HOME", "TMPDIR", "PATH", "OMP_NUM_THREADS", "PYTHONHASHSEED"):
        assert repr(name) in env_line
    assert "PYTHONPATH" not in env_line
    assert "fds [0, 1, 2, 3]" in outcome.output  # nothing of the supervisor's is inherited


def test_infinite_loop_is_killed_at_the_wall_limit(pool: SandboxPool, stage) -> None:
    outcome = pool.run(stage("sleep_forever", wall_seconds=1.0))
    assert outcome.timed_out
    assert outcome.signal == signal.SIGKILL and outcome.exit_code is None
    assert 1.0 <= outcome.wall_s < 5.0
    assert "going to sleep" in outcome.output


def test_busy_loop_ignoring_sigterm_still_dies(pool: SandboxPool, stage) -> None:
    outcome = pool.run(stage("ignore_sigterm", wall_seconds=1.0))
    assert outcome.timed_out and outcome.signal == signal.SIGKILL


def test_cpu_limit_stops_a_busy_loop_with_sigxcpu(pool: SandboxPool, stage) -> None:
    outcome = pool.run(stage("cpu_burn", cpu_seconds=1.0, wall_seconds=10.0))
    assert not outcome.timed_out
    assert outcome.signal == signal.SIGXCPU
    assert outcome.cpu_s >= 0.9  # tick-based accounting


def test_sys_exit_3_gives_exit_code_3(pool: SandboxPool, stage) -> None:
    outcome = pool.run(stage("sys_exit3"))
    assert outcome.exit_code == 3 and outcome.signal is None
    assert "leaving with status 3" in outcome.output


def test_os_exit_0_gives_exit_code_0_and_keeps_printed_lines(pool: SandboxPool, stage) -> None:
    outcome = pool.run(stage("os_exit0"))
    assert outcome.exit_code == 0
    assert "before os._exit" in outcome.output and "never printed" not in outcome.output


def test_null_pointer_dereference_is_reported_as_sigsegv(pool: SandboxPool, stage) -> None:
    outcome = pool.run(stage("segfault"))
    assert outcome.signal == signal.SIGSEGV and outcome.exit_code is None
    assert outcome.harness_error == ""


def test_exception_in_the_entry_gives_exit_70_with_traceback(pool: SandboxPool, stage) -> None:
    task = stage("hello")
    (task.workdir / "behaviour.py").write_text("raise ValueError('student bug')\n")
    outcome = pool.run(task)
    assert outcome.exit_code == 70
    assert "ValueError: student bug" in outcome.output and "Traceback" in outcome.output


def test_large_output_is_truncated_to_output_kb(pool: SandboxPool, stage) -> None:
    outcome = pool.run(stage("big_output", output_kb=4, file_size_mb=32))
    assert outcome.exit_code == 0
    assert outcome.output_truncated
    assert len(outcome.output) == 4 * 1024


def test_missing_entry_module_is_a_harness_error(pool: SandboxPool, stage) -> None:
    from dataclasses import replace

    outcome = pool.run(replace(stage("hello"), entry="tests.sandbox.no_such_module:run"))
    assert "ModuleNotFoundError" in outcome.harness_error
    assert pool.run(stage("hello")).exit_code == 0
