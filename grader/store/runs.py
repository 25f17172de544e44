"""Replaying recorded sandbox runs: the finer-grained half of the regrade cache.

The result cache (`ResultStore.lookup`) skips a submission when neither its files nor the grading key
changed; the grading key covers the whole rubric, so editing one check's points or tolerance regrades
every submission. But the sandboxed run does not depend on the checks: its input is the workdir the
trusted side prepares (the hand-in, task.json with seed, step limits and API, the held-out inputs), the
probe's source, the limits and the grader's code that runs there or builds the task (`RUN_CODE`).
`CachedSandbox` keys each run by a digest of exactly that, records its outcome and the files it left
(observations, figures) in the result store, and on the next identical run puts those files back into the
new workdir instead of forking.
The caller cannot tell the difference: it reads observations from the workdir as always and judges them
against the current rubric. So a points/tolerance/hint edit re-judges every submission (milliseconds each)
and runs nothing; a change to the probe, seed, limits, data or grader code changes the digest and reruns.

It also starts the real pool lazily: a rerun whose every run is recorded never starts a zygote.
Runs that ended in a harness error (not the submission's doing) are never recorded.
"""
from __future__ import annotations

import hashlib
import io
import json
import platform
import re
import tarfile
import threading
from dataclasses import asdict
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable

from grader.fingerprint import code_fingerprint
from grader.sandbox import protocol
from grader.sandbox.runner import SandboxRunner
from grader.sandbox.task import SandboxOutcome, SandboxTask
from grader.sandbox.workdir import TASK_FILE
from grader.store.results import ResultStore

#: the only files a recorded run keeps and restores, relative to the workdir
_KEPT = re.compile(r"^(observations/(index\.jsonl|[0-9]{5}\.npy)|figures/figure_[0-9]{2,3}\.png)$")
#: runs that left more than this are not recorded (they just run again next time)
MAX_RECORDED_BYTES = 64 * 1024 * 1024
#: the grader's code that decides what a run does, besides its workdir: what runs in the sandbox (the
#: layers from `sandbox` down in pyproject.toml's contracts, which import nothing above them) and the
#: trusted code that builds the task, decides what the run may see, and packs and restores its files.
#: A change anywhere else (judging, advice, reports) re-judges recorded runs instead of repeating them.
RUN_CODE = ("__init__.py", "sandbox/*.py", "probe/*.py", "record_format.py", "fingerprint.py", "version.py",
            "atomic.py", "grading.py", "visibility.py", "store/runs.py")


class CachedSandbox:
    """A SandboxRunner in front of a SandboxPool; thread-safe like the pool.

    `make_pool` is called on the first run that is not recorded. With `replay=False` every run is
    executed (and recorded afresh), as `--no-cache` asks. `also_from` is a second store to replay from
    (the known mistakes' runs): a run found only there is copied into `store`, so the output folder
    keeps every run its results came from.
    """

    def __init__(self, make_pool: Callable[[], SandboxRunner], store: ResultStore, jobs: int, assignment: str,
                 replay: bool = True, also_from: ResultStore | None = None) -> None:
        self.jobs = jobs
        self.assignment = assignment
        self.replay = replay
        self._also_from = also_from
        #: how many tasks were executed in a sandbox, and how many were replayed from the store
        self.executed = 0
        self.replayed = 0
        self._make_pool = make_pool
        self._store = store
        self._pool = None
        self._lock = threading.Lock()

    def __enter__(self) -> "CachedSandbox":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def run(self, task: SandboxTask) -> SandboxOutcome:
        key = run_key(task)
        if key is not None and self.replay:
            recorded = self._recorded(key)
            if recorded is not None and _restore(recorded[1], Path(task.workdir)):
                with self._lock:
                    self.replayed += 1
                return protocol.outcome_from_dict(recorded[0])
        outcome = self._real_pool().run(task)
        with self._lock:
            self.executed += 1
        if key is not None and not outcome.harness_error and not outcome.supervisor_lost:
            try:
                files = _pack(Path(task.workdir))
            except OSError:  # a file the run left that cannot be read: the run is simply not recorded
                files = None
            if files is not None:
                self._store.put_run(key, self.assignment, protocol.outcome_to_dict(outcome), files, _now())
        return outcome

    def _recorded(self, key: str) -> tuple[dict, bytes] | None:
        recorded = self._store.get_run(key)
        if recorded is None and self._also_from is not None:
            recorded = self._also_from.get_run(key)
            if recorded is not None:
                self._store.put_run(key, self.assignment, recorded[0], recorded[1], _now())
        return recorded

    def _real_pool(self):
        with self._lock:
            if self._pool is None:
                self._pool = self._make_pool()
            return self._pool


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def run_key(task: SandboxTask) -> str | None:
    """Digest of everything that decides what a run does, or None if the workdir cannot be read."""
    digest = hashlib.sha256(_code_fingerprint().encode())
    digest.update(json.dumps({"entry": task.entry, "limits": asdict(task.limits)}, sort_keys=True, default=list).encode())
    workdir = Path(task.workdir)
    try:
        task_file = json.loads((workdir / TASK_FILE).read_text())
        for path in sorted(workdir.rglob("*")):
            if path.is_symlink() or not path.is_file():
                digest.update(b"<not a file>" + str(path.relative_to(workdir)).encode())
                continue
            content = _without_probe_location(task_file) if path == workdir / TASK_FILE else path.read_bytes()
            digest.update(str(path.relative_to(workdir)).encode() + b"\0" + content + b"\0")
        probe = task_file.get("probe")
        if probe:
            # the probe runs inside the sandbox: its source is input too (task.json only names its path)
            digest.update(b"probe\0" + Path(probe).read_bytes())
    except (OSError, ValueError, AttributeError):
        return None
    return digest.hexdigest()


def _without_probe_location(task_file: dict) -> bytes:
    """task.json without the probe's path: its source is digested instead, so the same probe in a checkout
    elsewhere (a fresh clone, another instructor's copy) replays the same runs."""
    return json.dumps({k: v for k, v in task_file.items() if k != "probe"}, sort_keys=True).encode()


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """The grader's code that decides a run (`RUN_CODE`) and the interpreter and numpy it runs with."""
    import numpy

    code = code_fingerprint(*RUN_CODE)
    return hashlib.sha256(f"{platform.python_version()}:{numpy.__version__}:{code}".encode()).hexdigest()


def _pack(workdir: Path) -> bytes | None:
    """The files a run left that the trusted side reads (regular files with expected names only)."""
    buffer = io.BytesIO()
    total = 0
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for folder in ("observations", "figures"):
            directory = workdir / folder
            if directory.is_symlink() or not directory.is_dir():
                continue
            for path in sorted(directory.iterdir()):
                name = f"{folder}/{path.name}"
                if not _KEPT.match(name) or path.is_symlink() or not path.is_file():
                    continue
                # the size first: a run that left hundreds of MB is not read into memory to find that out
                if total + path.stat().st_size > MAX_RECORDED_BYTES:
                    return None
                data = path.read_bytes()
                total += len(data)
                if total > MAX_RECORDED_BYTES:
                    return None
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _restore(files: bytes, workdir: Path) -> bool:
    """Write a recorded run's files into a fresh workdir; False if the record is unreadable."""
    try:
        with tarfile.open(fileobj=io.BytesIO(files), mode="r:") as archive:
            for member in archive.getmembers():
                if not member.isfile() or not _KEPT.match(member.name):
                    continue
                target = workdir / member.name
                target.parent.mkdir(exist_ok=True)
                target.write_bytes(archive.extractfile(member).read())
    except (tarfile.TarError, OSError):
        return False
    return True
