"""What the untrusted code can reach: network, hidden paths, the host filesystem, other processes."""
from __future__ import annotations

import shutil
import socket
import tempfile
from pathlib import Path

from grader.sandbox import SandboxPool, isolation

from tests.sandbox.conftest import FILES


def _lines(output: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in output.splitlines() if ": " in line)


def test_no_network_inside_the_sandbox(pool: SandboxPool, stage) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        outcome = pool.run(stage("network", extra={"port.txt": str(port)}))
    assert "network namespace" not in outcome.degraded
    lines = _lines(outcome.output)
    assert lines["loopback"].startswith("blocked")
    assert lines["external"].startswith("blocked")
    assert lines["dns"].startswith("blocked")


def test_hidden_paths_are_unreadable(pool: SandboxPool, stage, scratch: Path) -> None:
    secret_dir = scratch / "rubric"
    secret_dir.mkdir()
    (secret_dir / "answers.txt").write_text("the secret")
    secret_file = scratch / "reference.py"
    secret_file.write_text("the other secret")
    targets = f"{secret_dir}\n{secret_dir / 'answers.txt'}\n{secret_file}\n"
    outcome = pool.run(stage("read_hidden", hidden=(secret_dir, secret_file), extra={"targets.txt": targets}))
    assert outcome.exit_code == 0, outcome.output
    assert "filesystem hiding" not in outcome.degraded
    assert "secret" not in outcome.output
    lines = _lines(outcome.output)
    assert lines[str(secret_dir)] == "listed []"
    assert lines[str(secret_dir / "answers.txt")].startswith("refused")
    assert lines[str(secret_file)] == "read b''"
    assert all(lines[f"/proc/1/root{t}"].startswith("refused") for t in targets.split())


def test_hidden_parent_of_the_workdir_keeps_the_workdir(pool: SandboxPool, stage, scratch: Path) -> None:
    (scratch / "other_student").mkdir()
    (scratch / "other_student" / "solution.py").write_text("someone else's work")
    task = stage("read_hidden", extra={"targets.txt": f"{scratch}\n{scratch / 'other_student'}\n"})
    task = type(task)(task.workdir, task.entry, task.limits, hidden_paths=(scratch,))
    outcome = pool.run(task)
    assert outcome.exit_code == 0, outcome.output
    lines = _lines(outcome.output)
    assert lines[str(scratch)] == f"listed [{task.workdir.name!r}]"
    assert lines[str(scratch / "other_student")].startswith("refused")


def test_sandbox_cannot_escape_its_restrictions(pool: SandboxPool, stage, scratch: Path) -> None:
    outside = scratch / "outside"
    outside.mkdir()
    task = stage("escape", extra={"outside.txt": str(outside)})
    outcome = pool.run(task)
    assert outcome.exit_code == 0, outcome.output
    # the one gap allowed: as root with an interpreter other users cannot read, runs keep uid 0 (test_runuid.py)
    assert [gap for gap in outcome.degraded if gap != isolation.RUN_UID] == []
    lines = _lines(outcome.output)
    assert lines["effective capabilities"] == "0000000000000000"
    for attempt in (
        "write outside the workdir",
        "write a sysctl",
        "leave the pids cgroup",
        "remount / read-write",
        "unmount /tmp",
        "join the host network namespace",
    ):
        assert lines[attempt].startswith("refused"), (attempt, lines[attempt])
    for attempt in ("write in the workdir", "write in /tmp", "write in TMPDIR"):
        assert lines[attempt] == "allowed", (attempt, lines[attempt])
    assert not (outside / "escaped.txt").exists()
    assert lines["visible processes"] == "[1, 2]"


def test_sandbox_cannot_signal_the_supervisors(pool: SandboxPool, stage, scratch: Path) -> None:
    for _ in range(2):  # make sure both zygotes are up
        pool.run(stage("hello"))
    zygotes = [slot.process.pid for slot in pool._slots]
    marker = f"sig{scratch.name[-6:]}"
    outcome = pool.run(stage("kill_pid", extra={"pid.txt": " ".join(map(str, zygotes)), "token.txt": marker}))
    assert not outcome.supervisor_lost and outcome.exit_code == 0, outcome
    for pid in zygotes:
        assert _lines(outcome.output)[f"kill {pid}"].startswith("refused")
    assert [slot.process.pid for slot in pool._slots] == zygotes


def test_workdirs_under_tmp_cannot_see_each_other(pool: SandboxPool, stage) -> None:
    mine, other = Path(tempfile.mkdtemp(prefix="grader-test-")), Path(tempfile.mkdtemp(prefix="grader-test-"))
    try:
        (other / "solution.py").write_text("someone else's work")
        shutil.copy(FILES / "read_hidden.py", mine / "behaviour.py")
        (mine / "targets.txt").write_text(f"{other}\n{other / 'solution.py'}\n")
        task = stage("hello")
        outcome = pool.run(type(task)(mine, task.entry, task.limits))
        assert outcome.exit_code == 0, outcome.output
        lines = _lines(outcome.output)
        assert lines[str(other)].startswith("refused")
        assert lines[str(other / "solution.py")].startswith("refused")
    finally:
        shutil.rmtree(mine, ignore_errors=True)
        shutil.rmtree(other, ignore_errors=True)
