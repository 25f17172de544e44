"""ResultStore: round trips, cache semantics, durability across reopen, manual scores, threads."""
from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from grader.store.results import ResultStore
from tests.report.fixtures import all_results, load_result

KEY = "rubric=ab12;reference=cd34;grader=0.1.0;seed=20261123"
WHEN = "2026-11-23T16:00:00+00:00"


@pytest.fixture
def store(tmp_path: Path):
    with ResultStore(tmp_path / "grades.sqlite") as opened:
        yield opened


def test_round_trip_returns_an_equal_result(store: ResultStore) -> None:
    for result in all_results():
        store.put(result, KEY, WHEN)
    bob = load_result("failures")
    assert store.get("bob", "numpy_nn") == (bob, bob.content_hash, KEY)
    assert store.get("bob", "numpy_nn")[0].checks[1].figures == bob.checks[1].figures


def test_get_unknown_is_none(store: ResultStore) -> None:
    assert store.get("nobody", "numpy_nn") is None
    store.put(load_result("perfect"), KEY, WHEN)
    assert store.get("alice", "other_assignment") is None


def test_lookup_hits_only_when_hash_and_key_both_match(store: ResultStore) -> None:
    alice = load_result("perfect")
    store.put(alice, KEY, WHEN)
    assert store.lookup("alice", "numpy_nn", alice.content_hash, KEY) == alice
    assert store.lookup("alice", "numpy_nn", "0" * 64, KEY) is None  # the hand-in changed
    assert store.lookup("alice", "numpy_nn", alice.content_hash, KEY + "x") is None  # the rubric changed
    assert store.lookup("bob", "numpy_nn", alice.content_hash, KEY) is None


def test_put_replaces_the_previous_grade(store: ResultStore) -> None:
    alice = load_result("perfect")
    store.put(alice, KEY, WHEN)
    regraded = replace(alice, content_hash="f" * 64, checks=alice.checks[:2])
    store.put(regraded, "new-key", "2026-11-24T09:00:00+00:00")
    assert store.get("alice", "numpy_nn") == (regraded, "f" * 64, "new-key")
    assert store.finished_at("alice", "numpy_nn") == "2026-11-24T09:00:00+00:00"
    assert len(store.results("numpy_nn")) == 1


def test_results_are_sorted_by_student(store: ResultStore) -> None:
    for result in reversed(all_results()):
        store.put(result, KEY, WHEN)
    assert [r.student_id for r in store.results("numpy_nn")] == ["alice", "bob", "carol", "dave"]
    assert store.results("other_assignment") == []


def test_everything_put_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "out" / "grades.sqlite"
    store = ResultStore(path)
    for result in all_results():
        store.put(result, KEY, WHEN)
    store.set_manual("dave", "numpy_nn", "plots", 3.0, grader="ta_kim", comment="fine")
    # no close(): a killed grader never gets to close its store, and each put is already committed
    with ResultStore(path) as reopened:
        assert reopened.results("numpy_nn") == sorted(all_results(), key=lambda r: r.student_id)
        assert reopened.manual_scores("numpy_nn")["points"].tolist() == [3.0]
    store.close()


def test_database_is_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "grades.sqlite"
    ResultStore(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "grades.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version=99")
    with pytest.raises(RuntimeError, match="newer grader"):
        ResultStore(path)


def test_remove_missing_drops_only_absent_students(store: ResultStore) -> None:
    for result in all_results():
        store.put(result, KEY, WHEN)
    store.put(replace(load_result("perfect"), assignment="other"), KEY, WHEN)
    assert store.remove_missing("numpy_nn", ["alice", "dave"]) == ["bob", "carol"]
    assert [r.student_id for r in store.results("numpy_nn")] == ["alice", "dave"]
    assert len(store.results("other")) == 1


def test_manual_scores_table(store: ResultStore) -> None:
    store.set_manual("dave", "numpy_nn", "plots", 3.0, grader="ta_kim", comment="Axes unlabelled.")
    store.set_manual("carol", "numpy_nn", "plots", 1.0, grader="ta_lee", comment="")
    store.set_manual("dave", "numpy_nn", "plots", 3.5, grader="ta_kim", comment="Regraded.")  # replaces
    store.set_manual("dave", "other", "plots", 1.0, grader="ta_kim", comment="")
    frame = store.manual_scores("numpy_nn")
    assert list(frame.columns) == ["student_id", "assignment", "item_id", "points", "grader", "comment"]
    assert frame.to_dict("records") == [
        {"student_id": "carol", "assignment": "numpy_nn", "item_id": "plots", "points": 1.0, "grader": "ta_lee", "comment": ""},
        {"student_id": "dave", "assignment": "numpy_nn", "item_id": "plots", "points": 3.5, "grader": "ta_kim", "comment": "Regraded."},
    ]
    assert store.manual_scores("nothing").empty
    with pytest.raises(ValueError, match="NaN"):
        store.set_manual("dave", "numpy_nn", "plots", float("nan"), grader="ta_kim", comment="")


def test_puts_from_many_threads(store: ResultStore) -> None:
    base = load_result("perfect")
    errors: list[BaseException] = []

    def grade(start: int) -> None:
        try:
            for i in range(start, start + 25):
                store.put(replace(base, student_id=f"s{i:03d}"), KEY, WHEN)
                assert store.lookup(f"s{i:03d}", "numpy_nn", base.content_hash, KEY) is not None
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=grade, args=(n * 25,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [r.student_id for r in store.results("numpy_nn")] == [f"s{i:03d}" for i in range(100)]
