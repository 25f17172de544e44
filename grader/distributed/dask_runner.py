"""Grade submissions on a Dask distributed cluster: `grader run submissions/ --scheduler tcp://host:port`.

The unit of work is the same as on one machine: one submission, sandboxed, observed and judged. What
travels is data only:

- to the worker: the assignment's files (rubric, reference, probe) and the submission's files, as bytes;
- back: the `SubmissionResult` as JSON text (`to_json()`) and the PNGs the student's script drew, as
  base64. Nothing produced inside a sandbox is ever pickled; the result is built on the worker's trusted
  side from observations (JSON + .npy), exactly as locally.

Each worker process keeps one warm `SandboxPool(jobs=1)` per preload set and probe, started on its first
task and reused until the process exits, and runs the reference once per assignment version (it needs
the reference observations and held-out labels to judge). A worker whose grader code differs from the
client's refuses the task: its grading key would differ, and so could its grades.

Everything else stays on the client: discovery, the result cache (only changed submissions are sent),
the result store, gradebook, exports and feedback reports. Recorded sandbox runs (grader.store.runs)
are not used on this path.
"""
from __future__ import annotations

import atexit
import base64
import json
import os
import shutil
import tempfile
import threading
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from grader.discover import Submission
from grader.results.submission import SubmissionResult
from grader.rubric import Rubric

#: worker-side state, per worker process: grading key -> setup, preload -> pool
_SETUPS: dict[str, object] = {}
_POOLS: dict[tuple[tuple[str, ...], str], object] = {}
_LOCK = threading.RLock()


# ---------------------------------------------------------------------------------------------- client side


def grade_on_cluster(scheduler: str, rubric: Rubric, key: str, todo: list[Submission], store, total: int,
                     on_progress: Callable[[str, int, int], None] | None, figures_dir: Path,
                     client=None) -> None:
    """Send every submission in `todo` to the cluster; store each result as it comes back.

    `client` may be an existing `distributed.Client` (tests); otherwise one is connected to `scheduler`
    for the duration of the call.
    """
    from grader.errors import GradingError

    try:
        from distributed import Client, as_completed
    except ImportError:
        raise GradingError("--scheduler needs Dask: pip install 'grader[dask]' (dask[distributed])") from None
    assignment = assignment_payload(rubric)
    own = client is None
    if own:
        try:
            client = Client(scheduler)  # connect timeout: dask config distributed.comm.timeouts.connect
        except (OSError, ValueError, TypeError) as exc:  # unreachable, or not an address ("missing port number")
            raise GradingError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    done = total - len(todo)
    if on_progress:
        on_progress("", done, total)
    from grader.containment import RETRY_KEY, from_exception

    futures = {client.submit(grade_remote, key, assignment, submission_payload(s), pure=False): s for s in todo}
    try:
        for future in as_completed(list(futures)):
            try:
                data = json.loads(future.result())
                result = SubmissionResult.from_json(data["result"])
                _write_figures(figures_dir, result.student_id, data.get("figures", {}))
            except Exception as exc:  # noqa: BLE001 - one hand-in (or one worker) must never stop the class
                result = from_exception(rubric, futures[future], rubric.seed, "grading on the cluster", exc)
            stored_key = RETRY_KEY if result.grader_error else key
            store.put(result, stored_key, datetime.now(timezone.utc).isoformat(timespec="seconds"))
            done += 1
            if on_progress:
                on_progress(result.student_id, done, total)
    finally:
        client.cancel([f for f in futures if not f.done()])
        if own:
            client.close()


def assignment_payload(rubric: Rubric) -> dict:
    """The assignment's name and files (paths relative to its home folder -> bytes), its known mistakes included."""
    home = rubric.path.parent.parent
    files = {str(path.relative_to(home)): path.read_bytes() for path in (*rubric.content_files(), *rubric.mistake_files())}
    return {"name": rubric.name, "rubric": str(rubric.path.relative_to(home)), "files": files}


def submission_payload(submission: Submission) -> dict:
    """A submission's files as bytes, by path relative to the folder it was found in.

    Symbolic links are sent as None, never followed: the client must not read what a link points to.
    """
    base = submission.root.parent
    files = {}
    for path in submission.files:
        regular = path.is_file() and not path.is_symlink()
        files[str(path.relative_to(base))] = path.read_bytes() if regular else None
    main = str(submission.main_file.relative_to(base)) if submission.main_file is not None else None
    return {"student_id": submission.student_id, "root": str(submission.root.relative_to(base)),
            "files": files, "main": main, "problem": submission.problem}


def _write_figures(figures_dir: Path, student_id: str, figures: dict[str, str]) -> None:
    from grader.results.files import student_figure_dir_name

    if not figures:
        return
    folder = figures_dir / student_figure_dir_name(student_id)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in figures.items():
        if "/" in name or not name.startswith("figure_") or not name.endswith(".png"):
            continue
        (folder / name).write_bytes(base64.b64decode(data))


# ---------------------------------------------------------------------------------------------- worker side


def grade_remote(key: str, assignment: dict, submission: dict) -> str:
    """Runs on a Dask worker: sandbox, observe and judge one submission; the result as JSON text."""
    from grader.grading import grade_contained
    from grader.results.files import student_figure_dir_name

    setup = _worker_setup(key, assignment)
    work = Path(tempfile.mkdtemp(prefix="grader-dask-"))
    figures = work / "figures"
    try:
        found = _materialise(submission, work / "submission")
        local = replace(setup, figures_dir=figures, hidden_paths=(*setup.hidden_paths, work))
        result = grade_contained(_worker_pool(setup.rubric), local, found, setup.rubric.seed)
        drawn = figures / student_figure_dir_name(result.student_id)
        pngs = {p.name: base64.b64encode(p.read_bytes()).decode("ascii")
                for p in sorted(drawn.glob("figure_*.png")) if p.is_file() and not p.is_symlink()}
        return json.dumps({"result": result.to_json(), "figures": pngs})
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _materialise(submission: dict, base: Path) -> Submission:
    """Write the submission's files under `base` with their relative paths; links become dangling links."""
    base.mkdir(parents=True)
    paths = []
    for relative, data in submission["files"].items():
        target = _inside(base, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        if data is None:
            target.symlink_to("/nonexistent")  # the sandbox copy skips links, and hashes "<not a file>"
        else:
            target.write_bytes(data)
        paths.append(target)
    main = _inside(base, submission["main"]) if submission["main"] else None
    return Submission(submission["student_id"], _inside(base, submission["root"]), tuple(paths), main,
                      submission["problem"])


def _inside(base: Path, relative: str) -> Path:
    """`base / relative`, refusing paths that would leave `base`."""
    parts = Path(relative).parts
    if not parts or Path(relative).is_absolute() or ".." in parts:
        raise ValueError(f"submission path {relative!r} leaves its folder")
    return base / relative


def _worker_setup(key: str, assignment: dict):
    """The GradingSetup for one assignment version, built once per worker process."""
    with _LOCK:
        if key in _SETUPS:
            return _SETUPS[key]
        from grader import visibility
        from grader.assignments import grading_key
        from grader.checks.kinds import KNOWN_KINDS
        from grader.rubric import load_rubric
        from grader.reference_run import prepare_setup

        # not under /tmp: every sandboxed run gets a private /tmp, and the probe must stay readable there
        base = os.environ.get("GRADER_ASSIGNMENT_DIR") or ("/var/tmp" if os.path.isdir("/var/tmp") else None)
        home = Path(tempfile.mkdtemp(prefix=f"grader-assignment-{assignment['name']}-", dir=base))
        atexit.register(shutil.rmtree, home, True)
        for relative, data in assignment["files"].items():
            target = _inside(home, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        rubric = load_rubric(home / assignment["rubric"], KNOWN_KINDS)
        if grading_key(rubric) != key:
            raise RuntimeError(
                "this Dask worker's grader differs from the client's (grading keys differ): "
                "install the same grader version on every worker"
            )
        _SETUPS[key] = prepare_setup(rubric, _worker_pool(rubric), key, visibility.worker_paths(home),
                                     home / "figures", isolation=_worker_isolation())
        return _SETUPS[key]


def _worker_isolation() -> str:
    """A worker refuses to grade where its machine cannot isolate student code (see grader.run.check_isolation)."""
    from grader.sandbox.machine import inspect_machine

    machine = inspect_machine()
    if not machine.safe and os.environ.get("GRADER_ALLOW_WEAK_ISOLATION") != "1":
        raise RuntimeError(f"Dask worker: {machine.refusal()} (on a worker: set GRADER_ALLOW_WEAK_ISOLATION=1)")
    return machine.weakened()


def _worker_pool(rubric: Rubric):
    """One warm sandbox slot per worker process (and preload set and probe), started lazily, closed at exit.

    The probe is part of the key: as root, a pool's runs get a uid of their own only where that uid can
    read the probe (grader.sandbox.runuid)."""
    from grader.sandbox.pool import SandboxPool

    preload = tuple(rubric.limits.preload)
    key = (preload, str(rubric.probe.resolve()))
    with _LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = _POOLS[key] = SandboxPool(jobs=1, preload=preload, reads=(rubric.probe,))
            atexit.register(pool.close)
        return pool
