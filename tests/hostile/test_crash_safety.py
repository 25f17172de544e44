"""Killing the grader does not lose, duplicate or redo work, and Ctrl-C stops every sandbox.

`grader run` runs as a subprocess on a small class with TMPDIR pointing at a folder of the test's own,
so every process of that run (zygotes, keepers, student processes) can be recognised by that folder in
its command line or working directory.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.hostile import corpus
from tests.hostile.conftest import REPO

pytestmark = pytest.mark.slow
#: the class: correct solutions and solutions without backprop, each file a little different
CLASS = {**{f"student_{i:02d}": ("classes", "train") for i in range(6)},
         **{f"student_{i:02d}": ("classes", "zero_backward") for i in range(6, 10)}}
#: rows that must be in the store before the grader is interrupted
ROWS_BEFORE_KILL = 3
WAIT_SECONDS = 240.0
#: a command prefix that runs the command with SIGINT ignored (a shell's background job does the same)
IGNORING_SIGINT = ("sh", "-c", "trap '' INT; exec \"$0\" \"$@\"")


#: for Ctrl-C: one quick student, then two whose script never ends (busy sandboxes when Ctrl-C comes)
SLOW_CLASS = {"a_quick": ("classes", "train"), "b_loops": ("classes", "case"), "c_loops": ("classes", "case"),
              "d_quick": ("classes", "zero_backward")}


def stage_class(folder: Path, students: dict[str, tuple[str, ...]] = CLASS) -> Path:
    folder.mkdir(parents=True)
    loop = (corpus.CASES / "loop_at_import.py").read_text()
    for student, parts in students.items():
        (folder / f"{student}.py").write_text(f"# {student}\n" + corpus.compose(parts, loop))
    return folder


def start_grader(folder: Path, out: Path, tmp: Path, home: Path | None = None) -> subprocess.Popen:
    """`grader run` with its own TMPDIR; `home` is a GRADER_HOME (default: the checkout's assignments)."""
    env = dict(os.environ, TMPDIR=str(tmp))
    env.pop("GRADER_HOME", None)
    if home is not None:
        env["GRADER_HOME"] = str(home)
    # started the way a background job or a script starts it, with SIGINT ignored, whatever this test inherited:
    # the grader must still stop on Ctrl-C
    return subprocess.Popen(
        [*IGNORING_SIGINT, sys.executable, "-m", "grader.cli", "run", str(folder), "--assignment", "numpy_nn",
         "--out", str(out), "--jobs", "2"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stored(out: Path) -> dict[str, str]:
    """student id -> finished_at of every row committed so far (the grader may be writing meanwhile)."""
    path = out / "numpy_nn" / "results.sqlite"
    if not path.exists():
        return {}
    try:
        with sqlite3.connect(path, timeout=10) as connection:
            rows = connection.execute("SELECT student_id, finished_at FROM results WHERE assignment = 'numpy_nn'")
            return dict(rows.fetchall())
    except sqlite3.OperationalError:  # the tables are created a moment after the file
        return {}


def wait_for_rows(process: subprocess.Popen, out: Path, count: int) -> dict[str, str]:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        rows = stored(out)
        if len(rows) >= count:
            return rows
        assert process.poll() is None, process.communicate()
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} results after {WAIT_SECONDS} s")


def sandbox_processes(tmp: Path) -> list[str]:
    """Live processes of the run: their command line or working folder lies in the run's TMPDIR."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if state != "Z" and (str(tmp) in cmdline or cwd.startswith(str(tmp))):
            found.append(f"{entry.name}: {cmdline[:120]}")
    return found


def wait_until_no_sandbox(tmp: Path, seconds: float = 15.0) -> list[str]:
    deadline = time.monotonic() + seconds
    while (left := sandbox_processes(tmp)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def run_to_end(folder: Path, out: Path, tmp: Path, home: Path | None = None) -> subprocess.CompletedProcess:
    process = start_grader(folder, out, tmp, home)
    stdout, stderr = process.communicate(timeout=WAIT_SECONDS)
    assert process.returncode == 0, stdout + stderr
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def gradebook(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "numpy_nn" / "gradebook.csv", dtype={"student_id": str})


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    (tmp_path / "tmp").mkdir()
    return tmp_path


def test_sigkill_mid_run_then_rerun_redoes_nothing_and_loses_nothing(scratch: Path):
    folder = stage_class(scratch / "class")
    out, tmp = scratch / "out", scratch / "tmp"
    process = start_grader(folder, out, tmp)
    try:
        wait_for_rows(process, out, ROWS_BEFORE_KILL)
    finally:
        process.kill()
        process.communicate()
    finished = stored(out)  # read after the kill: exactly what the killed grader committed
    assert ROWS_BEFORE_KILL <= len(finished) < len(CLASS), "the kill did not land mid-run"
    assert wait_until_no_sandbox(tmp) == []
    time.sleep(1.1)  # finished_at has one-second resolution: a regraded row would get a later one

    run_to_end(folder, out, tmp)
    after = stored(out)
    redone = sorted(s for s, when in finished.items() if after.get(s) != when)
    lost = sorted(set(CLASS) - set(after))
    book = gradebook(out)
    print(f"\nSIGKILL after {len(finished)} of {len(CLASS)} results; on rerun redone: {len(redone)} {redone}, "
          f"rows lost: {len(lost)} {lost}, gradebook rows: {len(book)}")
    assert redone == [] and lost == []
    assert sorted(book["student_id"]) == sorted(CLASS)

    # the same class graded without interruption gives the same gradebook
    run_to_end(folder, scratch / "uninterrupted", tmp)
    pd.testing.assert_frame_equal(book, gradebook(scratch / "uninterrupted"))
    assert wait_until_no_sandbox(tmp) == []


def test_ctrl_c_stops_every_sandbox_at_once_and_leaves_a_consistent_store(scratch: Path):
    # the corpus's short limits: the looping students end after 15 s when the class is finished below
    folder = stage_class(scratch / "class", SLOW_CLASS)
    out, tmp = scratch / "out", scratch / "tmp"
    process = start_grader(folder, out, tmp, corpus.HOME)
    try:
        wait_for_rows(process, out, 1)
        assert sandbox_processes(tmp), "no sandbox was running when Ctrl-C came"
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
        stopped_after = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stdout + stderr
    assert "interrupted" in stdout and "Traceback" not in stdout + stderr
    # not after the running scripts reach their time limit: at once
    assert stopped_after < 10, f"Ctrl-C took {stopped_after:.1f} s"
    assert wait_until_no_sandbox(tmp, seconds=5) == []
    # every committed row is complete, nothing half-written is left in the output folder, and what was
    # running when Ctrl-C came was not stored (a rerun grades it)
    partial = stored(out)
    assert "a_quick" in partial and not {"b_loops", "c_loops"} & set(partial)
    assert [p.name for p in (out / "numpy_nn").iterdir() if p.name.endswith(".tmp")] == []
    run_to_end(folder, out, tmp, corpus.HOME)
    after = stored(out)
    assert sorted(gradebook(out)["student_id"]) == sorted(SLOW_CLASS)
    assert all(after[s] == when for s, when in partial.items())
