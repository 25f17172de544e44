"""The grading state of one output directory, kept in SQLite.

One row per graded submission, keyed by (student_id, assignment). Each row remembers the content
hash of the hand-in and the grading key (rubric + reference + grader version + seed, computed by
the caller) it was graded with, so a rerun can skip a submission exactly when neither changed.
Every `put` is its own committed transaction: killing the grader half-way loses nothing already
stored. Manual scores entered by TAs, a TA's overrides of automatic checks and the history of both
(who, when, the value before, why) live in further tables of the same database.

Gradebooks, exports and reports are views rendered from this store; it is the only state.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

import pandas as pd

from grader.results.submission import SubmissionResult

#: bumped when the tables change shape; stored in SQLite's `user_version`
STORE_SCHEMA_VERSION = 1

MANUAL_COLUMNS = ("student_id", "assignment", "item_id", "points", "grader", "comment")
OVERRIDE_COLUMNS = ("student_id", "assignment", "check_id", "points", "grader", "reason")
HISTORY_COLUMNS = ("student_id", "item_id", "kind", "previous", "points", "grader", "comment", "at")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    student_id   TEXT NOT NULL,
    assignment   TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    grading_key  TEXT NOT NULL,
    finished_at  TEXT NOT NULL,
    payload      TEXT NOT NULL,
    PRIMARY KEY (student_id, assignment)
);
CREATE TABLE IF NOT EXISTS manual_scores (
    student_id TEXT NOT NULL,
    assignment TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    points     REAL NOT NULL,
    grader     TEXT NOT NULL,
    comment    TEXT NOT NULL,
    PRIMARY KEY (student_id, assignment, item_id)
);
CREATE TABLE IF NOT EXISTS overrides (
    student_id TEXT NOT NULL,
    assignment TEXT NOT NULL,
    check_id   TEXT NOT NULL,
    points     REAL NOT NULL,
    grader     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    PRIMARY KEY (student_id, assignment, check_id)
);
CREATE TABLE IF NOT EXISTS grade_history (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    assignment TEXT NOT NULL,
    student_id TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    previous   REAL,
    points     REAL,
    grader     TEXT NOT NULL,
    comment    TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS run_meta (
    assignment TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (assignment, key)
);
CREATE TABLE IF NOT EXISTS report_digests (
    student_id TEXT NOT NULL,
    assignment TEXT NOT NULL,
    digest     TEXT NOT NULL,
    PRIMARY KEY (student_id, assignment)
);
CREATE TABLE IF NOT EXISTS sandbox_runs (
    run_key    TEXT PRIMARY KEY,
    assignment TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    files      BLOB NOT NULL,
    stored_at  TEXT NOT NULL
);
"""


class ResultStore:
    """SQLite-backed store of graded submissions and manual scores.

    One connection is shared by all threads of the process and guarded by a lock: writes are
    one small row each, so serialising them costs nothing next to grading, and it avoids
    SQLITE_BUSY retries between threads. Use as a context manager or call `close()`.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # isolation_level=None: we open transactions explicitly, so nothing stays uncommitted by accident
        self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        try:
            self._setup()
        except BaseException:
            self._conn.close()
            raise

    def _setup(self) -> None:
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version > STORE_SCHEMA_VERSION:
                raise RuntimeError(
                    f"{self.path} was written by a newer grader (store schema {version}, "
                    f"this grader reads up to {STORE_SCHEMA_VERSION}); upgrade the grader."
                )
            self._conn.execute("PRAGMA journal_mode=WAL")
            # FULL also survives power loss; one fsync per finished submission is negligible
            self._conn.execute("PRAGMA synchronous=FULL")
            # executescript would commit on its own; run the statements in one explicit transaction
            with self._transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version={STORE_SCHEMA_VERSION}")

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "ResultStore":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One explicit transaction; the caller holds the lock. Rolled back on any exception."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _write(self, sql: str, params: Iterable[object]) -> None:
        """Run one statement in its own committed transaction."""
        with self._lock, self._transaction():
            self._conn.execute(sql, tuple(params))

    # ------------------------------------------------------------------ graded submissions
    def put(self, result: SubmissionResult, grading_key: str, finished_at: str) -> None:
        """Store (or replace) the result of one submission and commit it at once.

        `grading_key` identifies everything besides the hand-in that decides the grade;
        `finished_at` is an ISO timestamp chosen by the caller (the store never reads the clock).
        """
        payload = json.dumps(result.to_json(), sort_keys=True, ensure_ascii=False)
        self._write(
            "INSERT OR REPLACE INTO results "
            "(student_id, assignment, content_hash, grading_key, finished_at, payload) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (result.student_id, result.assignment, result.content_hash, grading_key, finished_at, payload),
        )

    def get(self, student_id: str, assignment: str) -> tuple[SubmissionResult, str, str] | None:
        """The stored result with its content hash and grading key, or None if never graded."""
        with self._lock:
            row = self._conn.execute(
                "SELECT payload, content_hash, grading_key FROM results WHERE student_id = ? AND assignment = ?",
                (student_id, assignment),
            ).fetchone()
        if row is None:
            return None
        return _decode(row[0]), row[1], row[2]

    def lookup(
        self, student_id: str, assignment: str, content_hash: str, grading_key: str
    ) -> SubmissionResult | None:
        """The stored result if it was graded from the same files with the same grading key.

        Any difference in either means the stored grade is stale and None is returned.
        """
        with self._lock:
            row = self._conn.execute(
                "SELECT payload FROM results WHERE student_id = ? AND assignment = ? "
                "AND content_hash = ? AND grading_key = ?",
                (student_id, assignment, content_hash, grading_key),
            ).fetchone()
        return None if row is None else _decode(row[0])

    def finished_at(self, student_id: str, assignment: str) -> str | None:
        """When the stored result was put (the caller's timestamp), or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT finished_at FROM results WHERE student_id = ? AND assignment = ?",
                (student_id, assignment),
            ).fetchone()
        return None if row is None else row[0]

    def results(self, assignment: str) -> list[SubmissionResult]:
        """All stored results of one assignment, sorted by student_id."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT payload FROM results WHERE assignment = ? ORDER BY student_id",
                (assignment,),
            ).fetchall()
        return [_decode(payload) for (payload,) in rows]

    def forget(self, student_id: str, assignment: str) -> None:
        """Delete one stored result so that the next run grades that submission again (its marks stay)."""
        self._write("DELETE FROM results WHERE student_id = ? AND assignment = ?", (student_id, assignment))

    def remove_missing(self, assignment: str, keep_ids: Iterable[str]) -> list[str]:
        """Delete the results of students not in `keep_ids` (e.g. withdrawn); return their ids, sorted.

        Manual scores are kept: they are a TA's work and cost nothing to keep if the student returns.
        """
        keep = set(keep_ids)
        with self._lock, self._transaction():
            stored = self._conn.execute(
                "SELECT student_id FROM results WHERE assignment = ? ORDER BY student_id", (assignment,)
            ).fetchall()
            gone = [sid for (sid,) in stored if sid not in keep]
            self._conn.executemany(
                "DELETE FROM results WHERE student_id = ? AND assignment = ?",
                [(sid, assignment) for sid in gone],
            )
        return gone

    # ------------------------------------------------------------------ recorded sandbox runs
    # What a sandboxed run produced (its outcome and the observation files it left), keyed by a digest
    # of everything that went into the sandbox (grader.store.runs). A rubric change that does not change
    # the sandbox's input (points, tolerances, hints) is then judged again without running anything.
    # The table was added without a schema bump: older graders ignore it, and it is created on open.

    def put_run(self, run_key: str, assignment: str, outcome: dict, files: bytes, stored_at: str) -> None:
        """Record one sandbox run. Committed without its own fsync: losing one only costs a rerun,
        and the next `put` (synchronous=FULL) makes it durable with the result that used it."""
        with self._lock:
            self._conn.execute("PRAGMA synchronous=NORMAL")
            try:
                with self._transaction():
                    self._conn.execute(
                        "INSERT OR REPLACE INTO sandbox_runs (run_key, assignment, outcome, files, stored_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (run_key, assignment, json.dumps(outcome, sort_keys=True), sqlite3.Binary(files), stored_at),
                    )
            finally:
                self._conn.execute("PRAGMA synchronous=FULL")

    def get_run(self, run_key: str) -> tuple[dict, bytes] | None:
        """The recorded outcome and files of a run, or None."""
        with self._lock:
            row = self._conn.execute("SELECT outcome, files FROM sandbox_runs WHERE run_key = ?", (run_key,)).fetchone()
        return None if row is None else (json.loads(row[0]), bytes(row[1]))

    def clear_runs(self, assignment: str) -> int:
        """Forget every recorded run of one assignment (e.g. for `--no-cache`); returns how many."""
        with self._lock, self._transaction():
            return self._conn.execute("DELETE FROM sandbox_runs WHERE assignment = ?", (assignment,)).rowcount

    # ------------------------------------------------------------------ written reports
    # A digest of what each student's feedback report was last rendered from (grader.report.incremental),
    # so an unchanged class does not render every report (and its PNGs) again. Like sandbox_runs, a cache:
    # committed without its own fsync, and losing it only means rendering again.

    def report_digests(self, assignment: str) -> dict[str, str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT student_id, digest FROM report_digests WHERE assignment = ?", (assignment,)
            ).fetchall()
        return dict(rows)

    def set_report_digests(self, assignment: str, digests: dict[str, str]) -> None:
        with self._lock:
            self._conn.execute("PRAGMA synchronous=NORMAL")
            try:
                with self._transaction():
                    self._conn.executemany(
                        "INSERT OR REPLACE INTO report_digests (student_id, assignment, digest) VALUES (?, ?, ?)",
                        [(student, assignment, digest) for student, digest in sorted(digests.items())],
                    )
            finally:
                self._conn.execute("PRAGMA synchronous=FULL")

    # ------------------------------------------------------------------ manual scores and overrides
    # The record of a TA's work (design: SQLite is the record, manual_scores.csv a view of it). Every change
    # also appends a row to grade_history in the same transaction: who, when, the value before and after, and
    # the comment or reason, so a disputed grade can be traced. Unchanged values append nothing.

    def set_manual(
        self, student_id: str, assignment: str, item_id: str, points: float, grader: str, comment: str = "",
        *, at: str = "",
    ) -> bool:
        """Record (or replace) a TA's score for one manual rubric item, committed at once with its history row.

        `at` is an ISO timestamp (default: now, UTC). Returns False when the item already had exactly
        this score, grader and comment (nothing is written then).
        """
        points = _finite_points(points, f"manual score for {student_id}/{item_id}")
        with self._lock, self._transaction():
            row = self._conn.execute(
                "SELECT points, grader, comment FROM manual_scores WHERE student_id = ? AND assignment = ? AND item_id = ?",
                (student_id, assignment, item_id),
            ).fetchone()
            if row is not None and tuple(row) == (points, grader, comment):
                return False
            self._conn.execute(
                "INSERT OR REPLACE INTO manual_scores "
                "(student_id, assignment, item_id, points, grader, comment) VALUES (?, ?, ?, ?, ?, ?)",
                (student_id, assignment, item_id, points, grader, comment),
            )
            self._history(assignment, student_id, item_id, "manual", row[0] if row else None, points, grader, comment, at)
        return True

    def clear_manual(self, student_id: str, assignment: str, item_id: str, grader: str, *, at: str = "") -> bool:
        """Remove a manual score (the item is pending again); False if there was none."""
        return self._clear("manual_scores", "item_id", "manual", student_id, assignment, item_id, grader, at)

    def manual_scores(self, assignment: str) -> pd.DataFrame:
        """Manual scores of one assignment, sorted by (student_id, item_id).

        Columns: student_id, assignment, item_id, points, grader, comment.
        """
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {', '.join(MANUAL_COLUMNS)} FROM manual_scores WHERE assignment = ? "
                "ORDER BY student_id, item_id",
                (assignment,),
            ).fetchall()
        frame = pd.DataFrame(rows, columns=list(MANUAL_COLUMNS))
        return frame.astype({"points": "float64"})

    def set_override(
        self, student_id: str, assignment: str, check_id: str, points: float, grader: str, reason: str, *, at: str = "",
    ) -> bool:
        """A TA's points for an automatic check, replacing what the check gave; a reason is required."""
        points = _finite_points(points, f"override of {student_id}/{check_id}")
        if not reason.strip():
            raise ValueError(f"override of {student_id}/{check_id} needs a reason (the student sees it)")
        with self._lock, self._transaction():
            row = self._conn.execute(
                "SELECT points, grader, reason FROM overrides WHERE student_id = ? AND assignment = ? AND check_id = ?",
                (student_id, assignment, check_id),
            ).fetchone()
            if row is not None and tuple(row) == (points, grader, reason):
                return False
            self._conn.execute(
                "INSERT OR REPLACE INTO overrides (student_id, assignment, check_id, points, grader, reason) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (student_id, assignment, check_id, points, grader, reason),
            )
            self._history(assignment, student_id, check_id, "override", row[0] if row else None, points, grader, reason, at)
        return True

    def clear_override(self, student_id: str, assignment: str, check_id: str, grader: str, *, at: str = "") -> bool:
        """Give a check back its automatic points; False if it had no override."""
        return self._clear("overrides", "check_id", "override", student_id, assignment, check_id, grader, at)

    def overrides(self, assignment: str) -> pd.DataFrame:
        """Overrides of one assignment, sorted by (student_id, check_id).

        Columns: student_id, assignment, check_id, points, grader, reason.
        """
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {', '.join(OVERRIDE_COLUMNS)} FROM overrides WHERE assignment = ? ORDER BY student_id, check_id",
                (assignment,),
            ).fetchall()
        return pd.DataFrame(rows, columns=list(OVERRIDE_COLUMNS)).astype({"points": "float64"})

    def history(self, assignment: str, student_id: str | None = None) -> pd.DataFrame:
        """Every change to manual scores and overrides, oldest first.

        Columns: student_id, item_id, kind ("manual" or "override"), previous, points (NaN: none, i.e.
        pending or automatic again), grader, comment, at.
        """
        query = f"SELECT {', '.join(HISTORY_COLUMNS)} FROM grade_history WHERE assignment = ?"
        params: tuple[str, ...] = (assignment,)
        if student_id is not None:
            query, params = query + " AND student_id = ?", (assignment, student_id)
        with self._lock:
            rows = self._conn.execute(query + " ORDER BY seq", params).fetchall()
        return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS)).astype({"previous": "float64", "points": "float64"})

    def _clear(self, table: str, column: str, kind: str, student_id: str, assignment: str, item_id: str,
               grader: str, at: str) -> bool:
        with self._lock, self._transaction():
            row = self._conn.execute(
                f"SELECT points FROM {table} WHERE student_id = ? AND assignment = ? AND {column} = ?",
                (student_id, assignment, item_id),
            ).fetchone()
            if row is None:
                return False
            self._conn.execute(f"DELETE FROM {table} WHERE student_id = ? AND assignment = ? AND {column} = ?",
                               (student_id, assignment, item_id))
            self._history(assignment, student_id, item_id, kind, row[0], None, grader, "", at)
        return True

    def _history(self, assignment: str, student_id: str, item_id: str, kind: str, previous: float | None,
                 points: float | None, grader: str, comment: str, at: str) -> None:
        """Append one audit row; the caller holds the lock inside a transaction."""
        self._conn.execute(
            "INSERT INTO grade_history (assignment, student_id, item_id, kind, previous, points, grader, comment, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (assignment, student_id, item_id, kind, previous, points, grader, comment, at or _now()),
        )

    # ------------------------------------------------------------------ what a run graded from
    def set_meta(self, assignment: str, key: str, value: str) -> None:
        """Remember a fact about the last run of an assignment (e.g. which folder it graded)."""
        self._write("INSERT OR REPLACE INTO run_meta (assignment, key, value) VALUES (?, ?, ?)", (assignment, key, value))

    def meta(self, assignment: str, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM run_meta WHERE assignment = ? AND key = ?", (assignment, key)).fetchone()
        return None if row is None else row[0]

    def assignments(self) -> list[str]:
        """Assignments with stored results, sorted."""
        with self._lock:
            rows = self._conn.execute("SELECT DISTINCT assignment FROM results ORDER BY assignment").fetchall()
        return [name for (name,) in rows]


def _decode(payload: str) -> SubmissionResult:
    return SubmissionResult.from_json(json.loads(payload))


def _finite_points(points: float, what: str) -> float:
    points = float(points)
    if points != points or points in (float("inf"), float("-inf")):  # NaN would silently turn a graded item back into "pending"
        raise ValueError(f"{what} is NaN or infinite")
    return points


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
