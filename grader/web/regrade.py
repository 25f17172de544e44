"""Regrading from the workbench: one student or the whole class, through the same pipeline and cache.

A regrade runs in a background thread (one at a time per assignment) and reports progress that the
page polls. One student's stored result is forgotten first, so that only that hand-in is graded again;
its sandbox run is replayed from the store when nothing the sandbox sees has changed.
"""
from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from grader.web.workbench import Workbench


@dataclass
class RegradeJob:
    id: str
    assignment: str
    student_id: str | None
    done: int = 0
    total: int = 0
    current: str = ""
    state: str = "running"  # running, finished, failed
    error: str = ""
    thread: threading.Thread | None = field(default=None, repr=False)

    def as_json(self) -> dict:
        return {"id": self.id, "assignment": self.assignment, "student": self.student_id, "done": self.done,
                "total": self.total, "current": self.current, "state": self.state, "error": self.error}


class Regrader:
    """Starts regrade jobs and remembers them for the progress endpoint."""

    def __init__(self, bench: Workbench, jobs: int | None = None) -> None:
        self.bench = bench
        self.jobs = jobs or os.cpu_count() or 1
        self._jobs: dict[str, RegradeJob] = {}
        self._lock = threading.Lock()

    def start(self, assignment: str, student_id: str | None) -> RegradeJob:
        self.bench.outputs(assignment)  # NotFound for an unknown assignment
        with self._lock:
            busy = [j for j in self._jobs.values() if j.assignment == assignment and j.state == "running"]
            if busy:
                return busy[0]
            job = RegradeJob(secrets.token_hex(8), assignment, student_id)
            self._jobs[job.id] = job
        job.thread = threading.Thread(target=self._run, args=(job,), name=f"regrade-{assignment}", daemon=True)
        job.thread.start()
        return job

    def get(self, job_id: str) -> RegradeJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _run(self, job: RegradeJob) -> None:
        from grader.run import grade_assignment

        try:
            rubric = self.bench.rubric(job.assignment)
            if rubric is None:
                raise RuntimeError(f"the rubric of {job.assignment} cannot be loaded")
            with self.bench.store(job.assignment) as store:
                folder = store.meta(job.assignment, "submissions")
                public_only = store.meta(job.assignment, "public_only") == "1"
                if not folder:
                    raise RuntimeError("this output folder does not say which submissions it graded; run `grader run` again")
                # forgotten results are graded again; sandbox runs whose input did not change are replayed
                for result in store.results(job.assignment):
                    if job.student_id in (None, result.student_id):
                        store.forget(result.student_id, job.assignment)

            def progress(student: str, done: int, total: int) -> None:
                job.done, job.total, job.current = done, total, student

            grade_assignment(rubric, Path(folder), self.bench.outputs(job.assignment), self.jobs, True, public_only,
                             progress)
            job.state = "finished"
        except Exception as exc:  # shown on the page; the server keeps running
            job.state, job.error = "failed", str(exc)[:500]
