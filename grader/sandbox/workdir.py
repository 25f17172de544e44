"""Prepare a run's private directory on the trusted side: safe copies of the hand-in, inputs, task.json."""
from __future__ import annotations

import atexit
import json
import queue
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from grader.sandbox.cleanup import remove_tree

MAX_FILE_BYTES = 20 * 1024 * 1024

#: the task description the trusted side writes into every workdir (read by the probe's runtime)
TASK_FILE = "task.json"


def create_workdir(prefix: str = "grader-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def copy_submission(files: tuple[Path, ...], root: Path, dest: Path) -> list[str]:
    """Copy regular files only (no symlinks, nothing that escapes `root`); returns what was skipped and why."""
    skipped = []
    dest.mkdir(parents=True, exist_ok=True)
    base = root if root.is_dir() else root.parent
    for path in files:
        if path.is_symlink() or not path.is_file():
            skipped.append(f"{path.name}: not a regular file (symbolic links are not followed)")
            continue
        try:
            relative = path.resolve().relative_to(base.resolve())
        except ValueError:
            skipped.append(f"{path.name}: outside the submission folder")
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            skipped.append(f"{relative}: larger than {MAX_FILE_BYTES // 2**20} MiB")
            continue
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return skipped


def write_inputs(workdir: Path, inputs: dict[str, np.ndarray]) -> None:
    directory = workdir / "inputs"
    directory.mkdir(exist_ok=True)
    for name, array in inputs.items():
        np.save(directory / f"{name}.npy", array, allow_pickle=False)


def write_task(workdir: Path, task: dict[str, Any]) -> None:
    (workdir / TASK_FILE).write_text(json.dumps(task, sort_keys=True))


#: work folders whose removal failed, retried and reported by `sweep_workdirs` at the end of a run
_left: set[Path] = set()
_left_lock = threading.Lock()


class _BackgroundRemover:
    """One thread that removes finished runs' work folders while their slots already run the next hand-in.

    Removing a work folder is mostly waiting for the filesystem (on an ext4 /tmp, about 20 ms of wall time
    and 4 ms of CPU for a dozen files, measured by benchmarks/overhead.py); a grading thread that waited for
    it kept its sandbox slot idle that long for every hand-in.
    """

    def __init__(self) -> None:
        self._queue: queue.Queue[Path] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, workdir: Path) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="grader-workdir-removal", daemon=True)
                self._thread.start()
                atexit.register(self.wait)
        self._queue.put(Path(workdir))

    def wait(self) -> None:
        """Return once every folder submitted so far has been removed (or recorded as left)."""
        self._queue.join()

    def _serve(self) -> None:
        while True:
            workdir = self._queue.get()
            try:
                if not remove_tree(workdir):
                    with _left_lock:
                        _left.add(workdir)
            finally:
                self._queue.task_done()


_remover = _BackgroundRemover()


def remove_workdir(workdir: Path) -> None:
    """Remove a run's work folder whatever the run left in it (see `cleanup`), in the background; never raises.

    `sweep_workdirs` waits for every removal started before it.
    """
    _remover.submit(workdir)


def sweep_workdirs() -> list[Path]:
    """Wait for pending removals, try again those that failed; returns the work folders still on disk."""
    _remover.wait()
    with _left_lock:
        pending = sorted(_left)
        _left.clear()
    still = [path for path in pending if not remove_tree(path)]
    with _left_lock:
        _left.update(still)
    return still
