"""As root, a run gets a uid of its own per slot where every user can read the interpreter (runuid.py);
elsewhere it keeps uid 0 without capabilities and the gap is reported."""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from grader.observations import read_observations
from grader.sandbox import SandboxPool, SandboxTask, isolation, machine, runuid
from grader.sandbox.cleanup import remove_tree
from grader.sandbox.doctor import identity

from tests.sandbox.conftest import FILES, TEST_LIMITS, ENTRY

AS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not AS_ROOT, reason="only root can give a run a uid of its own")


def _interpreter_readable() -> bool:
    uid, gid = runuid.run_ids_for(os.getpid())
    return AS_ROOT and runuid.unreadable_as(uid, gid, runuid.needed_paths()) == ""


needs_readable_interpreter = pytest.mark.skipif(
    not _interpreter_readable(),
    reason="needs root and an interpreter every user can read "
           "(make setup PYTHON=/usr/bin/python3 VENV=.venv-sys BIN=.venv-sys/bin, then run the tests with it)")


def _lines(output: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in output.splitlines() if ": " in line)


def _uid_of(output: str) -> int:
    real, effective = _lines(output)["uid"].split()
    assert real == effective
    return int(real)


def _root_only_file(folder: Path) -> Path:
    secret = folder / "root_only.txt"
    secret.write_text("root's secret")
    secret.chmod(0o600)
    return secret


# -- the decision, without a machine ---------------------------------------------------------------------

def test_an_ordinary_user_has_no_uid_to_give_and_misses_nothing() -> None:
    assert runuid.decide(False, "", 1234) == (None, "")


def test_root_gives_each_zygote_a_uid_of_its_own_in_the_high_range() -> None:
    ids, why = runuid.decide(True, "", 1234)
    assert ids == (2_000_001_234, 2_000_001_234) and why == ""
    assert runuid.run_ids_for(1) != runuid.run_ids_for(2)
    assert runuid.run_ids_for(4_194_304)[0] < 2**31  # the largest pid still fits a signed 32-bit uid


def test_root_keeps_uid_0_where_something_is_unreadable() -> None:
    ids, why = runuid.decide(True, "/opt/fake is not readable by other users", 1234)
    assert ids is None and why == "/opt/fake is not readable by other users"


def _check(needed: list[tuple[str, int]]) -> str:
    """What a run's uid could not read: checked as that uid by root, as ourselves otherwise (a folder
    without any permission is closed to its owner too, when that owner is not root)."""
    if AS_ROOT:
        uid, gid = runuid.run_ids_for(os.getpid())
        return runuid.unreadable_as(uid, gid, needed)
    return runuid.first_unreadable(needed)


def test_the_folder_in_the_way_is_named(scratch: Path) -> None:
    closed = scratch / "pyenv"
    (closed / "bin").mkdir(parents=True)
    interpreter = closed / "bin" / "python3"
    interpreter.write_text("")
    interpreter.chmod(0o755)
    (closed / "bin").chmod(0o755)
    closed.chmod(0o000)
    try:
        why = _check([(str(interpreter), os.R_OK | os.X_OK)])
    finally:
        closed.chmod(0o755)
    assert why == f"{closed} is not readable by other users (it holds {interpreter})"


def test_readable_paths_pass_and_an_unreadable_file_is_named_itself(scratch: Path) -> None:
    folder = scratch / "site-packages"
    folder.mkdir()
    folder.chmod(0o755)
    module = folder / "module.py"
    module.write_text("")
    module.chmod(0o644)
    assert _check([(str(folder), os.R_OK | os.X_OK), (str(module), os.R_OK)]) == ""
    module.chmod(0o000)
    assert _check([(str(module), os.R_OK)]) == f"{module} is not readable by other users"


def test_the_needed_paths_start_with_the_interpreter_and_hold_the_grader() -> None:
    needed = dict(runuid.needed_paths(("/etc/hostname",)))
    assert next(iter(needed)) == os.path.realpath(sys.executable)
    assert needed[os.path.realpath(sys.executable)] == os.R_OK | os.X_OK
    probe = Path(runuid.__file__).resolve().parents[1] / "probe" / "runtime.py"
    assert needed[str(probe)] == os.R_OK
    assert needed[os.path.realpath(np.__path__[0])] == os.R_OK | os.X_OK
    assert needed["/etc/hostname"] == os.R_OK


def test_doctor_names_the_missing_uid_with_why_and_how() -> None:
    why = "/root is not readable by other users (it holds /root/.pyenv/versions/3.11.7/bin/python3.11)"
    found = machine.classify((isolation.RUN_UID,), {isolation.RUN_UID: why}, "", True)
    feature = next(f for f in found.features if f.name == "unprivileged uid for student code")
    assert not feature.active and not feature.required
    assert feature.why == why
    assert feature.how.startswith("build the virtualenv from an interpreter every user can read, "
                                  "e.g. make setup PYTHON=/usr/bin/python3")
    assert found.safe  # a lesser gap: warned about, never a reason to refuse
    assert "unprivileged uid for student code" in found.lesser_gaps()
    assert identity(found) == ("student code runs as uid 0 without capabilities "
                               "(unprivileged uid for student code: missing, see above)")


def test_doctor_says_which_uid_runs_get() -> None:
    via = machine.mechanisms({"pids": "/x", "memory": "/y"}, True, 2_000_001_234)
    found = machine.classify((), {}, "", True, via)
    assert "2000001234" in identity(found) and found.lesser_gaps() == ""
    ordinary = machine.classify((), {}, "", False, machine.mechanisms({}, False))
    assert next(f for f in ordinary.features if f.name == isolation.RUN_UID).via.startswith("your own uid")


# -- real runs as root ---------------------------------------------------------------------------------

@needs_readable_interpreter
def test_each_slot_runs_as_its_own_unprivileged_uid(pool: SandboxPool, stage) -> None:
    uids = set()
    for _ in range(2):  # a freed slot goes to the back of the queue: two runs, two slots
        outcome = pool.run(stage("whoami"))
        assert outcome.exit_code == 0, outcome.output
        assert isolation.RUN_UID not in outcome.degraded
        lines = _lines(outcome.output)
        uid = _uid_of(outcome.output)
        assert lines["gid"] == f"{uid} {uid}" and lines["groups"] == "[]"
        assert lines["write in the workdir"] == "allowed"
        uids.add(uid)
    assert 0 not in uids and len(uids) == 2
    assert uids == {slot.hello["run_uid"] for slot in pool._slots}
    assert all(uid >= runuid.RUN_ID_BASE for uid in uids)


@needs_readable_interpreter
def test_a_root_only_file_is_unreadable(pool: SandboxPool, stage, scratch: Path) -> None:
    secret = _root_only_file(scratch)
    outcome = pool.run(stage("whoami", extra={"targets.txt": str(secret)}))
    assert outcome.exit_code == 0, outcome.output
    assert _lines(outcome.output)[str(secret)] == "refused (Permission denied)"
    assert "root's secret" not in outcome.output


@needs_readable_interpreter
def test_the_run_writes_its_records_and_root_reads_and_removes_them(pool: SandboxPool, stage) -> None:
    task = stage("records")
    outcome = pool.run(task)
    assert outcome.exit_code == 0, outcome.output
    assert (task.workdir / "observations").stat().st_uid >= runuid.RUN_ID_BASE
    observations = read_observations(task.workdir / "observations")
    assert observations.complete and not observations.tampered
    assert np.array_equal(observations.get("weights").array, np.arange(3.0))
    figure = task.workdir / "figures" / "figure_1.png"
    assert figure.read_bytes().startswith(b"\x89PNG") and figure.stat().st_uid >= runuid.RUN_ID_BASE
    assert (task.workdir / "tmp" / "scratch.txt").read_text() == "ok"
    assert remove_tree(task.workdir) and not task.workdir.exists()


@needs_readable_interpreter
def test_a_workdir_inside_a_folder_closed_to_others_is_still_reachable(pool: SandboxPool, stage, scratch: Path) -> None:
    closed = scratch / "closed"
    closed.mkdir(mode=0o700)
    neighbour = closed / "neighbour.txt"
    neighbour.write_text("someone else's")
    neighbour.chmod(0o644)
    task = stage("whoami", extra={"targets.txt": str(neighbour)})
    workdir = closed / task.workdir.name
    task.workdir.rename(workdir)
    outcome = pool.run(SandboxTask(workdir, task.entry, task.limits))
    assert outcome.exit_code == 0, outcome.output
    assert _uid_of(outcome.output) >= runuid.RUN_ID_BASE
    # the closed folder stands in as an empty one holding only the way to the workdir
    assert _lines(outcome.output)[str(neighbour)] == "refused (No such file or directory)"
    assert (workdir / "written.txt").read_text() == "ok"


@pytest.fixture
def unreadable_module(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """A module in a folder only root can enter, on sys.path, so that a pool can preload it."""
    folder = Path(tempfile.mkdtemp(prefix="grader-test-closed-", dir="/var/tmp"))  # mode 0700
    name = "closed_helper"
    shutil.copy(FILES / f"{name}.py", folder)
    monkeypatch.syspath_prepend(str(folder))
    yield name, folder
    shutil.rmtree(folder, ignore_errors=True)


@needs_root
def test_an_unreadable_package_keeps_uid_0_and_says_why(unreadable_module, scratch: Path) -> None:
    name, folder = unreadable_module
    work = scratch / "work"
    work.mkdir()
    shutil.copy(FILES / "whoami.py", work / "behaviour.py")
    secret = _root_only_file(scratch)
    (work / "targets.txt").write_text(str(secret))
    with SandboxPool(jobs=1, preload=(name,)) as fallback:
        outcome = fallback.run(SandboxTask(work, ENTRY, TEST_LIMITS))
        hello = fallback._slots[0].hello
    assert outcome.exit_code == 0, outcome.output
    assert _uid_of(outcome.output) == 0 and hello["run_uid"] is None
    assert _lines(outcome.output)[str(secret)] == "read b\"root's secret\""  # what the uid of its own prevents
    assert isolation.RUN_UID in outcome.degraded
    why = hello["notes"][isolation.RUN_UID]
    assert "is not readable by other users" in why
    if _interpreter_readable():
        assert why == f"{folder} is not readable by other users (it holds {folder / (name + '.py')})"
    found = machine.classify(outcome.degraded, hello["notes"], "", True)
    assert found.safe and "unprivileged uid for student code" in found.lesser_gaps()


@needs_root
def test_a_probe_the_run_cannot_read_keeps_uid_0(scratch: Path) -> None:
    closed = scratch / "course"
    closed.mkdir(mode=0o700)
    probe = closed / "probe.py"
    shutil.copy(FILES / "closed_helper.py", probe)  # only its readability matters: the entry never imports it
    work = scratch / "work"
    work.mkdir()
    shutil.copy(FILES / "whoami.py", work / "behaviour.py")
    with SandboxPool(jobs=1, preload=(), reads=(probe,)) as fallback:
        outcome = fallback.run(SandboxTask(work, ENTRY, TEST_LIMITS))
        why = fallback._slots[0].hello["notes"].get(isolation.RUN_UID, "")
    assert outcome.exit_code == 0, outcome.output
    assert _uid_of(outcome.output) == 0 and isolation.RUN_UID in outcome.degraded
    if _interpreter_readable():
        assert why == f"{closed} is not readable by other users (it holds {probe})"
