"""Grade the whole red-team corpus once per test run (one grade() call, jobs=2), with evidence around it.

Around the run: every file the grader must not change is snapshotted, the process table is recorded,
a loopback listener counts connections, secrets carry canary texts (an environment variable, a file in
the grader's HOME), and the control student is graded a second time on its own for comparison.
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest

from grader.assignments import cache_root, load_assignment
from grader.discover import student_id_for
from grader.run import grade
from grader.results.submission import SubmissionResult
from grader.store.results import ResultStore
from tests.hostile import corpus, snapshots

REPO = Path(__file__).resolve().parents[2]
#: a secret in the grader's environment; no run may print it
ENV_CANARY = "env-canary-93be1c"
#: a secret in the grader's home folder; no run may print it
HOME_CANARY = "home-canary-5a7e20"
#: a process that outlives its run (not ours before, alive after) is a failure once this grace period passed
PROCESS_GRACE_SECONDS = 5.0


@dataclass
class CorpusRun:
    """Everything the corpus tests look at."""

    cases: dict[str, corpus.Case]
    #: case name -> student id it was graded under
    ids: dict[str, str]
    results: dict[str, SubmissionResult]
    gradebook: pd.DataFrame
    alone: pd.DataFrame
    alone_results: dict[str, SubmissionResult]
    out: Path
    file_changes: list[str]
    survivors: list[snapshots.ProcessInfo]
    connections: list[tuple]
    seconds: float
    places: dict[str, str] = field(default_factory=dict)


class _Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections: list[tuple] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, address = self.socket.accept()
            except OSError:
                continue
            self.connections.append(address)
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


def _results(out: Path) -> dict[str, SubmissionResult]:
    with ResultStore(out / "numpy_nn" / "results.sqlite") as store:
        return {r.student_id: r for r in store.results("numpy_nn")}


def _private_roots(scratch: Path, runs: Path) -> list[Path]:
    """Folders only this test uses: any change in them during grading is the grader's (or a submission's)."""
    import numpy

    escapes = [Path("/var/tmp/grader_hostile_escape.txt"), Path("/var/tmp/zip_absolute_escaped.py"),
               Path("/root/grader_hostile_escape.txt")]
    return [scratch, runs, corpus.HOME, corpus.CASES, Path(numpy.__file__).parent, Path("/etc/hosts"), *escapes]


def _shared_roots() -> list[Path]:
    """Folders of the checkout other people may edit meanwhile: checked for files a submission marked."""
    return [REPO / name for name in ("rubrics", "reference", "probes", "submissions", "grader")]


def _survivors(before: dict[int, snapshots.ProcessInfo], roots: tuple[str, ...]) -> list[snapshots.ProcessInfo]:
    """New processes that belong to the run: our descendants, marked ones, or ones working in our folders."""
    deadline = time.monotonic() + PROCESS_GRACE_SECONDS
    while True:
        table = snapshots.processes()
        # multiprocessing's resource tracker is started by the test process itself (numpy/torch/dask imports
        # in earlier tests), not by any submission; it lives as long as pytest does
        mine = {p.pid: p for p in snapshots.descendants(os.getpid(), table)
                if "multiprocessing.resource_tracker" not in p.cmdline}
        for info in table.values():
            if info.pid in before and before[info.pid].cmdline == info.cmdline:
                continue
            if corpus.MARKER in info.cmdline or corpus.MARKER in info.name or info.cwd.startswith(roots):
                mine[info.pid] = info
        if not mine or time.monotonic() > deadline:
            return list(mine.values())
        time.sleep(0.2)


@pytest.fixture(scope="session")
def corpus_run() -> Iterator[CorpusRun]:
    scratch = Path(tempfile.mkdtemp(prefix="grader-hostile-", dir="/var/tmp"))
    runs = Path(tempfile.mkdtemp(prefix="grader-hostile-runs-"))
    listener = _Listener()
    try:
        # the environment is patched only while grading: later tests in the session see the real one
        with pytest.MonkeyPatch.context() as patch:
            result = _grade_corpus(patch, scratch, runs, listener)
        yield result
    finally:
        listener.close()
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(runs, ignore_errors=True)


def _grade_corpus(patch: pytest.MonkeyPatch, scratch: Path, runs: Path, listener: _Listener) -> CorpusRun:
    import matplotlib

    class_dir, out, outside, home = (scratch / name for name in ("class", "out", "outside", "home"))
    for folder in (class_dir, outside, home):
        folder.mkdir()
    (home / "secret_token.txt").write_text(HOME_CANARY)
    # keep matplotlib's font cache where it is, although HOME moves
    patch.setenv("MPLCONFIGDIR", os.environ.get("MPLCONFIGDIR", matplotlib.get_cachedir()))
    # and the grader's own cache (known mistakes' runs): the grader may write there, no submission may
    patch.setenv("GRADER_CACHE", os.environ.get("GRADER_CACHE", str(cache_root())))
    patch.setenv("HOME", str(home))
    patch.setenv("GRADER_HOME", str(corpus.HOME))
    patch.setenv("GRADER_HOSTILE_SECRET", ENV_CANARY)
    # every work folder and pool folder of this test run lives here, so its processes can be told apart
    patch.setattr(tempfile, "tempdir", str(runs))
    places = {
        "CLASS_DIR": str(class_dir), "OUT_DIR": str(out), "OUTSIDE_DIR": str(outside), "REPO": str(REPO),
        "GRADER_HOME": str(corpus.HOME), "FAKE_HOME": str(home), "LISTEN_PORT": str(listener.port),
    }
    cases = corpus.load_cases()
    corpus.stage_control(class_dir)
    ids = {}
    for case in cases.values():
        staged = corpus.stage_case(case, class_dir, places)
        ids[case.name] = student_id_for(staged.name if case.kind == "folder" else staged.stem)
    assert load_assignment("numpy_nn").limits.wall_seconds == 25, "GRADER_HOME is not the corpus's"

    private, shared = _private_roots(scratch, runs), _shared_roots()
    # the grader's own unpacked archives live in `runs` until the test process exits
    excluded = (out, scratch / "alone", *runs.glob("grader-archives-*"))
    before_files = snapshots.snapshot(private, exclude=excluded)
    before_marked = snapshots.marked_files(shared, corpus.MARKER.encode())
    before_processes = snapshots.processes()
    started = time.monotonic()
    gradebook = grade(class_dir, "numpy_nn", out, jobs=2, use_cache=False)
    seconds = time.monotonic() - started
    survivors = _survivors(before_processes, (str(runs), str(scratch)))
    excluded = (out, scratch / "alone", *runs.glob("grader-archives-*"))
    after_files = snapshots.snapshot(private, exclude=excluded)
    marked = snapshots.marked_files(shared, corpus.MARKER.encode()) - before_marked

    results = _results(out)
    if os.environ.get("GRADER_HOSTILE_TABLE"):
        # the corpus table of the closing note: case, expected, observed
        table = Path(os.environ["GRADER_HOSTILE_TABLE"])
        table.write_text(_outcome_table(cases, ids, results))
        for name in cases:  # and what each run printed, next to the table
            if ids[name] in results:
                table.with_name(f"{table.stem}.{name}.out").write_text(results[ids[name]].run.stdout_tail)
    alone_class = scratch / "alone" / "class"
    alone_class.mkdir(parents=True)
    corpus.stage_control(alone_class)
    alone = grade(alone_class, "numpy_nn", scratch / "alone" / "out", jobs=2, use_cache=False)
    return CorpusRun(
        cases=cases, ids=ids, results=results, gradebook=gradebook, alone=alone,
        alone_results=_results(scratch / "alone" / "out"), out=out,
        file_changes=snapshots.changes(before_files, after_files) + [f"marked {p}" for p in sorted(marked)],
        survivors=survivors,
        connections=list(listener.connections), seconds=seconds, places=places,
    )


def _outcome_table(cases: dict[str, corpus.Case], ids: dict[str, str], results: dict[str, SubmissionResult]) -> str:
    lines = ["| case | expected | observed |", "|---|---|---|"]
    for name, case in sorted(cases.items()):
        result = results.get(ids[name])
        expected = f"{case.status}, <= {case.max_score:g}"
        if result is None:
            lines.append(f"| {name} | {expected} | no row |")
            continue
        text = " ".join((result.problem or result.run.message or "").split())[:160]
        lines.append(f"| {name} | {expected} | {result.status}, {result.score:g}: {text} |")
    return "\n".join(lines) + "\n"
